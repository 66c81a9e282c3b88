using Padlock.InProcess;
using Xunit;

namespace Padlock.Tests.InProcess;

public sealed class InProcessLockStoreTests
{
    [Fact]
    public async Task Waiters_are_served_first_come_first_served()
    {
        var store = new InProcessLockStore();
        await using var p = new LockProvider(store);
        var l = p.CreateLock("fifo");
        var first = await l.AcquireAsync();
        var order = new List<int>();
        var waiters = new List<Task>();
        for (var i = 0; i < 10; i++)
        {
            var id = i;
            var started = new TaskCompletionSource();
            waiters.Add(Task.Run(async () =>
            {
                var pending = l.AcquireAsync(TimeSpan.FromSeconds(30));
                started.SetResult();
                await using var h = await pending;
                lock (order) order.Add(id);
            }));
            await started.Task; // each waiter is queued before the next one starts
        }
        await first.DisposeAsync();
        await Task.WhenAll(waiters);
        Assert.Equal(Enumerable.Range(0, 10), order);
    }

    [Fact]
    public async Task A_timed_out_waiter_does_not_block_the_line()
    {
        await using var p = new LockProvider(new InProcessLockStore());
        var l = p.CreateLock("line");
        var first = await l.AcquireAsync();
        Assert.Null(await l.TryAcquireAsync(TimeSpan.FromMilliseconds(50)));
        var next = l.AcquireAsync(TimeSpan.FromSeconds(30)).AsTask();
        await first.DisposeAsync();
        await using var h = await next;
        Assert.True(h.FencingToken > first.FencingToken);
    }

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
