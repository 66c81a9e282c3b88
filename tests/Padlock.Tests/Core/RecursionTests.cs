using Padlock.InProcess;
using Padlock.Stores;
using Padlock.Testing;
using Xunit;

namespace Padlock.Tests.Core;

/// <summary>
/// A second acquire of a semaphore the flow already holds a permit of through the same provider fails at once
/// (issue 12), and so does a second acquire of a held lock. What counts as "the flow" is pinned here, since AsyncLocal
/// makes it easy to get wrong both ways.
/// </summary>
public sealed class RecursionTests : IAsyncDisposable
{
    private readonly LockProvider _provider = new(new InProcessLockStore());

    public ValueTask DisposeAsync() => _provider.DisposeAsync();

    [Fact]
    public async Task A_second_acquire_of_a_held_semaphore_fails_at_once_whatever_its_timeout()
    {
        var s = _provider.CreateSemaphore("r", 2);
        await using var h = await s.AcquireAsync();
        var waiting = s.AcquireAsync(TimeSpan.FromMinutes(5)).AsTask();
        var ex = await Assert.ThrowsAsync<LockRecursionException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("semaphore 'r' (maxCount 2)", ex.Message);
        Assert.Throws<LockRecursionException>(() => _provider.CreateSemaphore("r", 2).TryAcquire());
    }

    [Fact]
    public async Task A_second_acquire_of_a_held_lock_fails_at_once_and_other_flows_still_get_busy()
    {
        var l = _provider.CreateLock("busy");
        await using var h = await l.AcquireAsync();
        var ex = await Assert.ThrowsAsync<LockRecursionException>(() => l.AcquireAsync(TimeSpan.FromMinutes(5)).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("lock 'busy'", ex.Message);
        Assert.Throws<LockRecursionException>(() => _provider.CreateLock("busy").TryAcquire());
        Assert.Null(await SeparateFlow.Run(async () => await l.TryAcquireAsync()));
    }

    [Fact]
    public async Task Release_and_failed_attempts_leave_the_flow_free_to_try_again()
    {
        var l = _provider.CreateSemaphore("again", 1);
        (await l.AcquireAsync()).Dispose();
        await using (var h = await l.TryAcquireAsync()) Assert.NotNull(h);
        // Held by another flow: this flow's attempts fail as "busy", and leave nothing that looks like a hold.
        var other = await Task.Run(() => l.AcquireAsync().AsTask());
        Assert.Null(await l.TryAcquireAsync());
        Assert.Null(await l.TryAcquireAsync(TimeSpan.FromMilliseconds(50)));
        await other.DisposeAsync();
        await using var mine = await l.TryAcquireAsync();
        Assert.NotNull(mine);
    }

    [Fact]
    public async Task Another_provider_or_another_name_or_primitive_is_not_recursion()
    {
        await using var store2 = new LockProvider(new InProcessLockStore());
        await using var h = await _provider.CreateSemaphore("n", 1).AcquireAsync();
        await using var otherProvider = await store2.CreateSemaphore("n", 1).TryAcquireAsync();
        await using var otherName = await _provider.CreateSemaphore("n2", 1).TryAcquireAsync();
        await using var lockOfTheName = await _provider.CreateLock("n").TryAcquireAsync();
        Assert.NotNull(otherProvider);
        Assert.NotNull(otherName);
        Assert.NotNull(lockOfTheName);
    }

    [Fact]
    public async Task Workers_started_by_a_flow_that_no_longer_holds_wait_for_each_other_normally()
    {
        var l = _provider.CreateSemaphore("workers", 1);
        (await l.AcquireAsync()).Dispose(); // this flow has acquired before: its workers must still be separate flows
        int inside = 0, max = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                await using var h = await l.AcquireAsync(TimeSpan.FromSeconds(30));
                var now = Interlocked.Increment(ref inside);
                if (now > Volatile.Read(ref max)) Volatile.Write(ref max, now);
                await Task.Yield();
                Interlocked.Decrement(ref inside);
            }
        })));
        Assert.Equal(1, max);
    }

    [Fact]
    public async Task A_task_started_while_the_flow_holds_counts_as_the_same_flow()
    {
        // Documented: it inherits the execution context; awaiting it while it waited for this hold would deadlock.
        await using var h = await _provider.CreateSemaphore("inherit", 2).AcquireAsync();
        await Assert.ThrowsAsync<LockRecursionException>(() => Task.Run(() => _provider.CreateSemaphore("inherit", 2).AcquireAsync().AsTask()));
    }

    [Fact]
    public async Task A_helper_method_sees_the_holds_of_its_caller()
    {
        await using var h = await _provider.CreateSemaphore("helper", 3).AcquireAsync();
        await Assert.ThrowsAsync<LockRecursionException>(TakeAnotherPermit);

        async Task TakeAnotherPermit()
        {
            await Task.Yield();
            await using var again = await _provider.CreateSemaphore("helper", 3).AcquireAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public void A_store_without_semaphores_is_refused_naming_the_store_and_the_alternatives()
    {
        var provider = new LockProvider(new LockOnlyStore());
        var ex = Assert.Throws<NotSupportedException>(() => provider.CreateSemaphore("x", 2));
        Assert.Contains("lockonly://", ex.Message);
        Assert.Contains("mem://", ex.Message);
        Assert.Contains("file://", ex.Message);
    }

    private sealed class LockOnlyStore : ILockStore
    {
        public string Kind => "lockonly";
        public ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait) => ValueTask.FromResult<StoreLease?>(null);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
