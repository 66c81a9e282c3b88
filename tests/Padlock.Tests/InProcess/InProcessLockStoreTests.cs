using Padlock.InProcess;
using Padlock.Testing;
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
        // The waiter and the later try are other flows of this process: the holding flow would be refused as recursion.
        var first = await l.AcquireAsync();
        var next = SeparateFlow.Run(async () => await l.AcquireAsync(TimeSpan.FromSeconds(30)));
        await Task.Delay(50); // let the wait begin; a waiter that comes after the break is served the same way
        Assert.True(store.Break("break"));
        Assert.True(first.IsLost);
        await using var h = await next;
        await first.DisposeAsync();
        Assert.Null(await SeparateFlow.Run(async () => await l.TryAcquireAsync()));
    }

    [Fact]
    public async Task Disposing_the_store_loses_holds_and_fails_waiters()
    {
        var store = new InProcessLockStore();
        var p = new LockProvider(store);
        var l = p.CreateLock("dispose");
        var h = await l.AcquireAsync();
        var waiting = SeparateFlow.Run(async () => await l.AcquireAsync()); // another flow: this one would be refused as recursion
        await p.DisposeAsync();
        Assert.True(h.IsLost);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => waiting);
        await h.DisposeAsync(); // a lost handle still counts as this flow's hold until released
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await l.TryAcquireAsync());
    }
}
