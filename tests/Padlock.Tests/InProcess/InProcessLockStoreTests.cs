using Padlock.InProcess;
using Xunit;

namespace Padlock.Tests.InProcess;

/// <summary>mem:// beyond the contract (which covers FIFO order and failed waits): breaking a hold, disposing the store.</summary>
public sealed class InProcessLockStoreTests
{
    [Fact]
    public async Task Break_loses_the_hold_and_serves_the_next_waiter()
    {
        var store = new InProcessLockStore();
        await using var p = new LockProvider(store);
        var l = p.CreateLock("break");
        Assert.False(store.Break("break"));
        var first = await l.AcquireAsync();
        var next = l.AcquireAsync(TimeSpan.FromSeconds(30)).AsTask();
        Assert.True(store.Break("break"));
        Assert.True(first.IsLost);
        await using var h = await next;
        await first.DisposeAsync();
        Assert.Null(await l.TryAcquireAsync());
    }

    [Fact]
    public async Task Disposing_the_store_loses_holds_and_fails_waiters()
    {
        var store = new InProcessLockStore();
        var p = new LockProvider(store);
        var l = p.CreateLock("dispose");
        var h = await l.AcquireAsync();
        var waiting = l.AcquireAsync().AsTask();
        await p.DisposeAsync();
        Assert.True(h.IsLost);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await l.TryAcquireAsync());
    }
}
