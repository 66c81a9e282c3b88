using Padlock.Stores;
using Padlock.Testing.Time;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>
/// A holder resuming from a pause longer than the loss fraction of its session sees IsLost on its first look, before the
/// session's check timer has run (issue 15 #11): the clock jumps, timers keep real time.
/// </summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class PausedHolderTests(ZooKeeperFixture zk)
{
    [Fact]
    public async Task A_holder_resuming_past_the_loss_limit_reads_IsLost_true_at_once()
    {
        var clock = new JumpingClock();
        await using var p = LockProvider.Create($"zk://{zk.ConnectString}/paused?sessiontimeout=10s&lossfraction=0.6", new StoreContext { TimeProvider = clock });
        await using var h = await p.CreateLock("lock-" + Guid.NewGuid().ToString("N")[..12]).AcquireAsync();
        Assert.False(h.IsLost);
        clock.Jump(TimeSpan.FromSeconds(30));
        Assert.True(h.IsLost, "IsLost was still false just after the ensemble had been silent past the limit.");
    }
}
