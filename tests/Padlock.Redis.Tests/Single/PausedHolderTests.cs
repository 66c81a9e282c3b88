using Padlock.Redis.Tests.Fixtures;
using Padlock.Stores;
using Padlock.Testing;
using Padlock.Testing.Time;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>
/// A holder paused past its lease (a GC pause, SIGSTOP) resumes with its clock moved on while its timers have not run
/// yet. Its first look at <see cref="ILockHandle.IsLost"/> must already say lost, or it makes one more write under a
/// lease Redis has dropped (fencing stops it on redis://; on redlock:// it was a lost update). The clock here jumps
/// while timers keep real time, which is exactly the state of a process in the instant after SIGCONT.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class PausedHolderTests(RedisFixture fixture)
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_holder_resuming_past_its_lease_reads_IsLost_true_at_once()
    {
        var clock = new JumpingClock();
        await using var provider = LockProvider.Create($"redis://{fixture.Endpoint}?lease=20s", new StoreContext { TimeProvider = clock });
        await using var h = await provider.CreateLock("paused-" + Guid.NewGuid().ToString("N")).AcquireAsync();
        Assert.False(h.IsLost);
        clock.Jump(Lease);
        Assert.True(h.IsLost, "IsLost was still false just after the lease deadline passed on the monotonic clock.");
        Assert.True(h.LostToken.IsCancellationRequested);
    }

    [Fact]
    public async Task A_local_holder_handed_the_lock_inside_the_store_also_sees_the_deadline()
    {
        var clock = new JumpingClock();
        await using var provider = LockProvider.Create($"redis://{fixture.Endpoint}?lease=20s", new StoreContext { TimeProvider = clock });
        var name = "paused-cohort-" + Guid.NewGuid().ToString("N");
        var first = await provider.CreateLock(name).AcquireAsync();
        var secondTask = SeparateFlow.Run(async () => await provider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(30)));
        var store = (RedisLockStore)((LockProvider)provider).Store;
        await Eventually.TrueAsync(() => store.LocalWaiters(name) > 0, "the second caller waits in the store's local line");
        await first.DisposeAsync();
        await using var second = await secondTask;
        Assert.False(second.IsLost);
        clock.Jump(Lease);
        Assert.True(second.IsLost, "A holder handed the key inside the store did not see the passed deadline.");
    }
}
