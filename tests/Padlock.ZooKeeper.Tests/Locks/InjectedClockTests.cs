using Microsoft.Extensions.Time.Testing;
using Padlock.Stores;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>The store's client and its loss measure run on the store context's clock, not on the machine's (issue 11).</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class InjectedClockTests(ZooKeeperFixture zk)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Silence_past_the_loss_fraction_on_the_injected_clock_fires_LostToken()
    {
        var time = new FakeTimeProvider();
        await using var p = LockProvider.Create($"zk://{zk.ConnectString}/clock?sessiontimeout=10s&lossfraction=0.6", new StoreContext { TimeProvider = time });
        var h = await p.CreateLock("lock-" + Guid.NewGuid().ToString("N")[..12]).AcquireAsync();
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.LostToken.Register(() => lost.TrySetResult());
        var negotiated = ((ZooKeeperLockStore)p.Store).CurrentClient!.NegotiatedTimeout;
        Assert.False(h.IsLost);
        // Past 60% of the session timeout, short of the read timeout (two thirds): only the loss measure acts.
        time.Advance(negotiated * 0.63);
        await lost.Task.WaitAsync(Guard);
        Assert.True(h.IsLost);
        await h.DisposeAsync();
    }
}
