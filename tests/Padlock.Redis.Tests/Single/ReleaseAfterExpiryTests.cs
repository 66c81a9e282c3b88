using Padlock.LocalServers;
using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>
/// The chapter's bug: a holder that stalls past its lease, then wakes and releases, must not delete the lock that
/// another client took in the meantime.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ReleaseAfterExpiryTests(RedisFixture fixture)
{
    [Fact]
    public async Task A_stalled_holder_releasing_after_expiry_leaves_the_new_holders_lock_intact()
    {
        var name = "expiry-" + Guid.NewGuid().ToString("N");
        var uri = $"redis://{fixture.Endpoint}?lease=1s&renew=300ms";
        await using var stalled = await HolderProcess.AcquireAsync(uri, name);
        // Freeze the holder as a long GC pause would: it stops renewing and its key runs out.
        Posix.Pause(stalled.ProcessId);
        try
        {
            await using var provider = LockProvider.Create(uri);
            await using var mine = await provider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(30));
            Assert.True(mine.FencingToken > stalled.FencingToken);

            Posix.Resume(stalled.ProcessId);
            await stalled.ReleaseAsync();

            Assert.False(mine.IsLost);
            await using var other = LockProvider.Create(uri);
            Assert.Null(await other.CreateLock(name).TryAcquireAsync());
            var status = await ((RedisLockStore)((LockProvider)provider).Store).InspectAsync(name);
            Assert.True(status.IsHeld);
            Assert.Equal(mine.FencingToken, status.FencingToken);
        }
        finally
        {
            Posix.Resume(stalled.ProcessId);
        }
    }
}
