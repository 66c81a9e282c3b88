using Padlock.Stores;
using Xunit;

namespace Padlock.Testing.Contract;

/// <summary>
/// The line a store keeps for a name: arrival order where the store claims it, inspection where it offers it, nothing
/// left behind by a failed attempt, and two handles of one provider excluding each other.
/// </summary>
public abstract partial class LockContractTests
{
    /// <summary>
    /// Waits until the store's line of <paramref name="name"/> holds <paramref name="count"/> waiters; false at once when
    /// the adapter cannot count the line (the caller then has no probe).
    /// </summary>
    protected async Task<bool> WaitUntilQueuedAsync(string name, int count, string what)
    {
        if (await Adapter.QueuedAsync(name) is null) return false;
        await Eventually.TrueAsync(async () => await Adapter.QueuedAsync(name) == count, what);
        return true;
    }

    private async Task AssertLineEmptyAsync(string name, string after)
    {
        var left = await Adapter.QueuedAsync(name);
        Assert.True(left is null or 0, $"{left} entries were left in the line of {name} after {after}.");
    }

    [Fact]
    public async Task Waiters_are_granted_in_arrival_order_where_the_store_is_fifo()
    {
        if (!Adapter.IsFifo) return; // file:// across stores and redlock:// promise no order (docs/stores)
        var name = UniqueName();
        var holder = await NewProvider().CreateLock(name).AcquireAsync();
        var granted = new List<(int Waiter, long Token)>();
        var waiters = new List<Task>();
        for (var i = 1; i <= 4; i++)
        {
            var me = i;
            var l = NewProvider().CreateLock(name);
            waiters.Add(Task.Run(async () =>
            {
                // Granted, recorded, released: the next waiter is served only after this one let go.
                await using var h = await l.AcquireAsync(TimeSpan.FromSeconds(60));
                lock (granted) granted.Add((me, h.FencingToken));
            }));
            // W(i) is in the store's line before W(i+1) starts, so the arrival order is the loop's order.
            Assert.True(await WaitUntilQueuedAsync(name, i, $"waiter W{i} is queued"), "A FIFO store's adapter must count its line (QueuedAsync).");
        }
        await holder.DisposeAsync();
        await Task.WhenAll(waiters).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal([1, 2, 3, 4], granted.Select(g => g.Waiter));
        Assert.Equal(granted.Select(g => g.Token).Order(), granted.Select(g => g.Token));
    }

    [Fact]
    public async Task Inspection_tells_the_holder_and_its_token_and_then_that_the_lock_is_free()
    {
        var name = UniqueName();
        var inspector = (NewProvider() as LockProvider)?.Store as ILockInspector;
        Assert.True(Adapter.CanInspect == inspector is not null,
            $"The adapter says CanInspect is {Adapter.CanInspect}, but the store {(inspector is null ? "is not" : "is")} an ILockInspector.");
        if (inspector is null) return;
        Assert.False((await inspector.InspectAsync(name)).IsHeld);
        var h = await NewProvider().CreateLock(name).AcquireAsync();
        var held = await inspector.InspectAsync(name);
        Assert.Equal(name, held.Name);
        Assert.True(held.IsHeld, "A held lock was inspected as free.");
        Assert.Equal(h.FencingToken, held.FencingToken);
        await h.DisposeAsync();
        Assert.False((await inspector.InspectAsync(name)).IsHeld, "A released lock was inspected as held.");
    }

    [Fact]
    public async Task Failed_attempts_leave_nothing_in_the_line()
    {
        var name = UniqueName();
        var held = await NewProvider().CreateLock(name).AcquireAsync();
        var other = NewProvider().CreateLock(name);
        Assert.Null(await other.TryAcquireAsync(TimeSpan.Zero));
        await AssertLineEmptyAsync(name, "a failed zero-timeout attempt");
        Assert.Null(await other.TryAcquireAsync(TimeSpan.FromMilliseconds(300)));
        await AssertLineEmptyAsync(name, "a wait that timed out");
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await other.AcquireAsync(cancellationToken: cts.Token));
        await AssertLineEmptyAsync(name, "a cancelled wait");
        await held.DisposeAsync();
        // Nobody is left ahead of a newcomer: a zero-timeout attempt by another client gets the lock.
        await using var next = await NewProvider().CreateLock(name).TryAcquireAsync(TimeSpan.Zero);
        Assert.True(next is not null, "After the holder released, a zero-timeout attempt failed: a failed attempt left something behind.");
    }

    [Fact]
    public async Task Two_handles_of_one_provider_exclude_each_other()
    {
        var name = UniqueName();
        var provider = NewProvider();
        var first = await provider.CreateLock(name).AcquireAsync();
        var second = provider.CreateLock(name);
        // From another flow of this process: this flow, holding the name, would be refused (LockRecursionException).
        Assert.Null(await SeparateFlow.Run(async () => await second.TryAcquireAsync()));
        Assert.Null(await SeparateFlow.Run(async () => await second.TryAcquireAsync(TimeSpan.FromMilliseconds(100))));
        await first.DisposeAsync();
        await using var h = await second.TryAcquireAsync();
        Assert.True(h is not null, "The second handle of the provider was not granted after the first released.");
        Assert.True(h!.FencingToken > first.FencingToken);
    }

    [Fact]
    public async Task A_second_acquire_by_the_holding_flow_fails_at_once()
    {
        var name = UniqueName();
        var provider = NewProvider();
        var l = provider.CreateLock(name);
        var h = await l.AcquireAsync();
        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAsync<LockRecursionException>(async () => await l.AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(name, ex.Message);
        Assert.Throws<LockRecursionException>(() => provider.CreateLock(name).TryAcquire());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "The recursive acquire waited out its timeout.");
        // The refused attempts left nothing behind and did not touch the hold.
        Assert.False(h.IsLost);
        await h.DisposeAsync();
        await using var again = await l.TryAcquireAsync();
        Assert.NotNull(again);
    }
}
