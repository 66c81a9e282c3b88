using Padlock.Stores;
using Padlock.Testing.Time;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>
/// A holder resuming from a pause past its session's TTL sees IsLost on its first look, before the lease's deadline
/// timer has run (issue 15 #11): the clock jumps, timers keep real time.
/// </summary>
[Collection("etcd")]
public sealed class PausedHolderTests(EtcdFixture etcd)
{
    [Fact]
    public async Task A_holder_resuming_past_its_lease_reads_IsLost_true_at_once()
    {
        var clock = new JumpingClock();
        await using var p = LockProvider.Create(etcd.Uri("?ttl=10s"), new StoreContext { TimeProvider = clock });
        await using var h = await p.CreateLock("paused-" + Guid.NewGuid().ToString("N")).AcquireAsync();
        Assert.False(h.IsLost);
        clock.Jump(TimeSpan.FromSeconds(10));
        Assert.True(h.IsLost, "IsLost was still false just after the session's lease deadline passed on the monotonic clock.");
    }
}
