using Padlock.Stores;
using Xunit;

namespace Padlock.Testing.Semaphores;

/// <summary>
/// The semaphore promises of a line store (ZooKeeper, etcd), exercised on <see cref="ISemaphoreStore"/> directly with
/// real servers: the bound on holders, FIFO grants, tokens increasing in grant order, maxCount mismatch, and waits
/// that leave no entry behind. A derived class supplies the stores and counts a name's entries in the server.
/// </summary>
public abstract class LineSemaphoreStoreTests : IAsyncLifetime
{
    /// <summary>Bound on every wait in these tests (generous: 2 cores shared by several test runs).</summary>
    protected static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>A new store instance (its own session) on the test's server and namespace.</summary>
    protected abstract ISemaphoreStore CreateStore();

    /// <summary>How many entries (nodes, keys) the server holds now for semaphore <paramref name="name"/>.</summary>
    protected abstract Task<int> EntryCountAsync(string name);

    private ISemaphoreStore NewStore(TimeSpan? recheck = null)
    {
        var store = recheck is { } interval ? CreateStore(interval) : CreateStore();
        lock (_owned) _owned.Add((IAsyncDisposable)store);
        return store;
    }

    private static string Name() => "sem-" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<StoreLease> AcquireAsync(ISemaphoreStore store, string name, int maxCount)
    {
        using var wait = new LockWait(Guard);
        return await store.TryAcquireSemaphoreAsync(name, maxCount, wait) ?? throw new Xunit.Sdk.XunitException($"No permit of {name} within {Guard}.");
    }

    private async Task UntilEntriesAsync(string name, int count)
    {
        var end = DateTime.UtcNow + Guard;
        while (await EntryCountAsync(name) != count)
        {
            Assert.True(DateTime.UtcNow < end, $"Semaphore {name} did not reach {count} entries (has {await EntryCountAsync(name)}).");
            await Task.Delay(20);
        }
    }

    /// <summary>A store may report a passed deadline as null or as the cancellation it waited on (the core maps both).</summary>
    private static async Task<bool> AcquiredWithinAsync(ISemaphoreStore store, string name, int maxCount, TimeSpan timeout, CancellationToken ct = default)
    {
        using var wait = new LockWait(timeout, ct);
        try
        {
            var lease = await store.TryAcquireSemaphoreAsync(name, maxCount, wait);
            if (lease is null) return false;
            await lease.ReleaseAsync();
            return true;
        }
        catch (OperationCanceledException) when (wait.TimedOut)
        {
            return false;
        }
    }

    [Fact]
    public async Task Eight_acquirers_on_two_stores_never_hold_more_than_three_permits()
    {
        var name = Name();
        var stores = new[] { NewStore(), NewStore() };
        var holding = 0;
        var most = 0;
        var done = 0;
        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            for (var round = 0; round < 3; round++)
            {
                var lease = await AcquireAsync(stores[i % 2], name, 3);
                var now = Interlocked.Increment(ref holding);
                InterlockedMax(ref most, now);
                await Task.Delay(Random.Shared.Next(5, 40));
                Interlocked.Decrement(ref holding);
                await lease.ReleaseAsync();
            }
            Interlocked.Increment(ref done);
        })).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(8, done);
        Assert.InRange(most, 1, 3);
        await UntilEntriesAsync(name, 0);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    [Fact]
    public async Task Permits_are_granted_in_line_order_with_tokens_increasing_in_grant_order()
    {
        var name = Name();
        var a = NewStore();
        var b = NewStore();
        var holders = new List<StoreLease>();
        for (var i = 0; i < 3; i++) holders.Add(await AcquireAsync(i % 2 == 0 ? a : b, name, 3));
        var granted = new List<(int Waiter, long Token)>();
        var waiters = new List<Task<StoreLease>>();
        for (var w = 0; w < 4; w++)
        {
            var index = w;
            var store = w % 2 == 0 ? b : a;
            waiters.Add(Task.Run(async () =>
            {
                var lease = await AcquireAsync(store, name, 3);
                lock (granted) granted.Add((index, lease.FencingToken));
                return lease;
            }));
            // Queued (entry in the line) before the next waiter starts: line order is w0, w1, w2, w3.
            await UntilEntriesAsync(name, 3 + w + 1);
        }
        Assert.Empty(granted);
        var order = new List<StoreLease>(holders);
        // Release oldest first, one at a time: each release admits exactly the oldest waiter.
        for (var w = 0; w < 4; w++)
        {
            await order[w].ReleaseAsync();
            var lease = await waiters[w].WaitAsync(Guard);
            order.Add(lease);
            lock (granted) Assert.Equal(Enumerable.Range(0, w + 1), granted.Select(g => g.Waiter));
        }
        var tokens = order.Select(l => l.FencingToken).ToList();
        for (var i = 1; i < tokens.Count; i++) Assert.True(tokens[i] > tokens[i - 1], $"Token {tokens[i]} (grant {i}) is not above {tokens[i - 1]}.");
        foreach (var lease in order.Skip(4)) await lease.ReleaseAsync();
        await UntilEntriesAsync(name, 0);
    }

    /// <summary>
    /// How long a waiter's store goes without its periodic re-check of the line in the tests below: far beyond their
    /// bound on a grant (<see cref="WokenWithin"/>), so a grant inside that bound came from a watch.
    /// </summary>
    protected static readonly TimeSpan SlowRecheck = TimeSpan.FromSeconds(60);

    /// <summary>Bound on a grant that a watch must cause (generous for 2 shared cores; the re-check is <see cref="SlowRecheck"/>).</summary>
    protected static readonly TimeSpan WokenWithin = TimeSpan.FromSeconds(5);

    /// <summary>A new store whose waiters look at the line again without a watch event only every <paramref name="recheck"/>.</summary>
    protected abstract ISemaphoreStore CreateStore(TimeSpan recheck);

    [Fact]
    public async Task A_release_out_of_line_order_wakes_the_waiter_without_the_recheck()
    {
        // Holders A, B, C, D of 4, then waiter E, then F. The youngest holder (D) goes first: E must be woken by a watch
        // (a waiter that watched only the entry 4 places below its own, A, slept until the re-check). Then a middle one (B):
        // F likewise.
        var name = Name();
        var holders = new List<StoreLease>();
        var a = NewStore();
        for (var i = 0; i < 4; i++) holders.Add(await AcquireAsync(a, name, 4));
        var e = Task.Run(() => AcquireAsync(NewStore(SlowRecheck), name, 4));
        await UntilEntriesAsync(name, 5);
        var f = Task.Run(() => AcquireAsync(NewStore(SlowRecheck), name, 4));
        await UntilEntriesAsync(name, 6);
        Assert.False(e.IsCompleted || f.IsCompleted);

        await holders[3].ReleaseAsync();
        var leaseE = await e.WaitAsync(WokenWithin);
        Assert.True(leaseE.FencingToken > holders[2].FencingToken);
        Assert.False(f.IsCompleted);

        await holders[1].ReleaseAsync();
        var leaseF = await f.WaitAsync(WokenWithin);
        Assert.True(leaseF.FencingToken > leaseE.FencingToken);

        foreach (var lease in new[] { holders[0], holders[2], leaseE, leaseF }) await lease.ReleaseAsync();
        await UntilEntriesAsync(name, 0);
    }

    [Fact]
    public async Task Above_the_watch_cap_a_release_out_of_line_order_wakes_the_waiter_without_the_recheck()
    {
        // 20 permits: more than a waiter watches one by one, so it watches the whole line instead.
        const int permits = 20;
        var name = Name();
        var a = NewStore();
        var holders = new List<StoreLease>();
        for (var i = 0; i < permits; i++) holders.Add(await AcquireAsync(a, name, permits));
        var waiter = Task.Run(() => AcquireAsync(NewStore(SlowRecheck), name, permits));
        await UntilEntriesAsync(name, permits + 1);
        Assert.False(waiter.IsCompleted);

        await holders[^1].ReleaseAsync();
        var lease = await waiter.WaitAsync(WokenWithin);
        Assert.True(lease.FencingToken > holders[^2].FencingToken);

        await lease.ReleaseAsync();
        foreach (var holder in holders.Take(permits - 1)) await holder.ReleaseAsync();
        await UntilEntriesAsync(name, 0);
    }

    [Fact]
    public async Task A_different_maxCount_is_refused_and_leaves_no_entry()
    {
        var name = Name();
        var holder = await AcquireAsync(NewStore(), name, 3);
        var other = NewStore();
        using (var wait = new LockWait(TimeSpan.FromSeconds(5)))
        {
            var ex = await Assert.ThrowsAsync<SemaphoreCountMismatchException>(async () => await other.TryAcquireSemaphoreAsync(name, 4, wait));
            Assert.Equal((name, 4, 3), (ex.Name, ex.Requested, ex.InUse));
        }
        using (var single = new LockWait(TimeSpan.Zero))
        {
            await Assert.ThrowsAsync<SemaphoreCountMismatchException>(async () => await other.TryAcquireSemaphoreAsync(name, 2, single));
        }
        await UntilEntriesAsync(name, 1);
        await holder.ReleaseAsync();
        await UntilEntriesAsync(name, 0);
    }

    [Fact]
    public async Task Zero_and_short_timeouts_and_cancellation_leave_no_entry_behind()
    {
        var name = Name();
        var a = NewStore();
        var h1 = await AcquireAsync(a, name, 2);
        var h2 = await AcquireAsync(a, name, 2);
        var other = NewStore();
        Assert.False(await AcquiredWithinAsync(other, name, 2, TimeSpan.Zero));
        Assert.Equal(2, await EntryCountAsync(name));
        Assert.False(await AcquiredWithinAsync(other, name, 2, TimeSpan.FromMilliseconds(300)));
        await UntilEntriesAsync(name, 2);

        using var cts = new CancellationTokenSource();
        var cancelled = Task.Run(() => AcquiredWithinAsync(other, name, 2, Timeout.InfiniteTimeSpan, cts.Token));
        await UntilEntriesAsync(name, 3);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Guard));
        await UntilEntriesAsync(name, 2);

        // A single attempt with a permit free takes it.
        await h2.ReleaseAsync();
        Assert.True(await AcquiredWithinAsync(other, name, 2, TimeSpan.Zero));
        await h1.ReleaseAsync();
        await UntilEntriesAsync(name, 0);
    }

    [Fact]
    public async Task A_lock_and_a_semaphore_of_one_name_do_not_share_a_line()
    {
        var name = Name();
        var store = NewStore();
        using var wait = new LockWait(TimeSpan.Zero);
        var lease = await ((ILockStore)store).TryAcquireAsync(name, wait);
        Assert.NotNull(lease);
        var permit = await AcquireAsync(store, name, 1);
        Assert.Equal(1, await EntryCountAsync(name));
        await permit.ReleaseAsync();
        await lease.ReleaseAsync();
    }

    /// <inheritdoc/>
    public Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        foreach (var store in _owned) await store.DisposeAsync();
    }
}
