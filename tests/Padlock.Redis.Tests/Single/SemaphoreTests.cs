using Padlock.Redis.Keys;
using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>What the Redis semaphore keeps in Redis: one slot, a permit per holder with its own lease, a clean line.</summary>
[Collection(RedisCollection.Name)]
public sealed class SemaphoreTests(RedisFixture fixture) : IAsyncLifetime
{
    private readonly List<ILockProvider> _providers = [];

    private IDatabase Db => fixture.Admin.GetDatabase();

    private ILockProvider NewProvider(string query = "lease=6s&renew=1s")
    {
        var p = LockProvider.Create($"redis://{fixture.Endpoint}?{query}");
        _providers.Add(p);
        return p;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _providers) await p.DisposeAsync();
    }

    [Fact]
    public void Every_key_of_one_name_is_in_one_cluster_slot()
    {
        var keys = SemaphoreKeys.For("padlock:", "a{b}c%");
        var slots = keys.All.Select(k => fixture.Admin.HashSlot(k)).Distinct().ToArray();
        Assert.Single(slots);
        Assert.Equal(fixture.Admin.HashSlot(LockKeys.For("padlock:", "a{b}c%").Lock), slots[0]);
    }

    [Fact]
    public async Task Each_holder_has_its_own_entry_and_release_removes_only_its_own()
    {
        var name = $"sem-{Guid.NewGuid():N}";
        var keys = SemaphoreKeys.For("padlock:", name);
        await using var a = await NewProvider().CreateSemaphore(name, 3).AcquireAsync(TimeSpan.FromSeconds(10));
        var b = await NewProvider().CreateSemaphore(name, 3).AcquireAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, await Db.SortedSetLengthAsync(keys.Holders));
        Assert.Equal(2, await Db.HashLengthAsync(keys.Grants));
        Assert.Equal(3, (int)await Db.StringGetAsync(keys.Count));
        await b.DisposeAsync();
        Assert.Equal(1, await Db.SortedSetLengthAsync(keys.Holders));
        Assert.True(await Db.KeyTimeToLiveAsync(keys.Holders) is { } ttl && ttl > TimeSpan.Zero, "The holders set must expire if every holder vanishes.");
    }

    [Fact]
    public async Task A_crashed_holders_permit_comes_back_after_its_lease()
    {
        // A crashed holder leaves exactly this: its entry, scored by its lease's end, never renewed again.
        var name = $"sem-{Guid.NewGuid():N}";
        var keys = SemaphoreKeys.For("padlock:", name);
        await using var live = await NewProvider().CreateSemaphore(name, 2).AcquireAsync(TimeSpan.FromSeconds(10));
        var time = (RedisResult[])(await Db.ExecuteAsync("TIME"))!;
        var nowMs = (long)time[0] * 1000 + (long)time[1] / 1000;
        await Db.SortedSetAddAsync(keys.Holders, "dead/1500:crashed", nowMs + 1500);
        await Db.HashSetAsync(keys.Grants, "dead/1500:crashed", 1);
        var s = NewProvider().CreateSemaphore(name, 2);
        Assert.Null(await s.TryAcquireAsync());
        await using var got = await s.AcquireAsync(TimeSpan.FromSeconds(20));
        Assert.False(await Db.HashExistsAsync(keys.Grants, "dead/1500:crashed"));
    }

    [Fact]
    public async Task A_holder_whose_entry_is_removed_is_told_it_lost_the_permit()
    {
        var name = $"sem-{Guid.NewGuid():N}";
        var keys = SemaphoreKeys.For("padlock:", name);
        var h = await NewProvider().CreateSemaphore(name, 2).AcquireAsync(TimeSpan.FromSeconds(10));
        Assert.True(await Db.KeyDeleteAsync(keys.Holders));
        await Eventually.TrueAsync(() => h.LostToken.IsCancellationRequested, "the permit's loss", TimeSpan.FromSeconds(10));
        await h.DisposeAsync();
    }

    [Fact]
    public async Task Waiters_are_granted_in_arrival_order_and_timeouts_leave_the_line_empty()
    {
        var name = $"sem-{Guid.NewGuid():N}";
        var keys = SemaphoreKeys.For("padlock:", name);
        var held = await NewProvider().CreateSemaphore(name, 1).AcquireAsync(TimeSpan.FromSeconds(10));
        var order = new List<int>();
        var waiters = new List<Task>();
        for (var i = 0; i < 4; i++)
        {
            var n = i;
            var s = NewProvider().CreateSemaphore(name, 1);
            waiters.Add(Task.Run(async () =>
            {
                await using var h = await s.AcquireAsync(TimeSpan.FromSeconds(30));
                lock (order) order.Add(n);
            }));
            // Each is in the line before the next one comes.
            await Eventually.TrueAsync(async () => await Db.ListLengthAsync(keys.Queue) == n + 1, $"waiter {n} in the line", TimeSpan.FromSeconds(10));
        }
        var late = NewProvider().CreateSemaphore(name, 1);
        Assert.Null(await late.TryAcquireAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(4, await Db.ListLengthAsync(keys.Queue));
        await held.DisposeAsync();
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([0, 1, 2, 3], order);
        Assert.False(await Db.KeyExistsAsync(keys.Queue));
        Assert.Equal(0, await Db.SortedSetLengthAsync(keys.Deadlines));
        Assert.Equal(0, await Db.SortedSetLengthAsync(keys.Holders));
    }

    [Fact]
    public void Redlock_refuses_semaphores_naming_the_alternatives()
    {
        var p = LockProvider.Create("redlock://127.0.0.1:1,127.0.0.1:2,127.0.0.1:3");
        _providers.Add(p);
        var ex = Assert.Throws<NotSupportedException>(() => p.CreateSemaphore("x", 2));
        Assert.Contains("redlock://", ex.Message);
        foreach (var alternative in new[] { "redis://", "zk://", "etcd://" }) Assert.Contains(alternative, ex.Message);
    }
}
