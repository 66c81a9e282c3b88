using Padlock.ZooKeeper.Locks;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>
/// A positive timeout bounds the waiting, never the first attempt: however short it is, the connect, the create and
/// the listing run to the end, so a free lock is granted (issue 15, defect 4).
/// </summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class FirstAttemptTests(ZooKeeperFixture zk) : IAsyncLifetime
{
    private static readonly TimeSpan Tiny = TimeSpan.FromMilliseconds(1);
    private readonly List<LockProvider> _providers = [];

    private LockProvider NewProvider()
    {
        var p = LockProvider.Create($"zk://{zk.ConnectString}/first");
        _providers.Add(p);
        return p;
    }

    private static string Name() => "lock-" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _providers) await p.DisposeAsync();
    }

    private async Task<int> LineLengthAsync(LockProvider p, string name)
    {
        await using var c = await zk.ConnectAsync();
        try
        {
            return LockNodeNames.Queue(await c.GetChildrenAsync(((ZooKeeperLockStore)p.Store).ParentPath(name))).Count;
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
        {
            return 0;
        }
    }

    [Fact]
    public async Task A_1_ms_timeout_on_a_free_lock_is_granted_every_time()
    {
        var p = NewProvider();
        await using (await p.CreateLock(Name()).AcquireAsync()) { } // the session is open: this is about the attempt itself
        var shared = Name();
        for (var i = 0; i < 50; i++)
        {
            // Every other try on a lock never used before: its node must be created first, one more round trip.
            var name = i % 2 == 0 ? Name() : shared;
            var h = await p.CreateLock(name).TryAcquireAsync(Tiny);
            Assert.True(h is not null, $"try {i} on free lock {name} was refused");
            await h.DisposeAsync();
        }
        Assert.Equal(0, await LineLengthAsync(p, shared));
    }

    [Fact]
    public async Task A_1_ms_timeout_on_a_store_not_yet_connected_is_granted()
    {
        // The session start is bounded by the connect timeout, not by the wait.
        for (var i = 0; i < 5; i++)
        {
            var h = await NewProvider().CreateLock(Name()).TryAcquireAsync(Tiny);
            Assert.True(h is not null, $"try {i} on a fresh store was refused");
            await h.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_1_ms_timeout_on_a_held_lock_returns_null_and_leaves_only_the_holder()
    {
        var name = Name();
        await using var holder = await NewProvider().CreateLock(name).AcquireAsync();
        var other = NewProvider();
        await using (await other.CreateLock(Name()).AcquireAsync()) { } // session open
        for (var i = 0; i < 5; i++) Assert.Null(await other.CreateLock(name).TryAcquireAsync(Tiny));
        Assert.Equal(1, await LineLengthAsync(other, name));
    }
}
