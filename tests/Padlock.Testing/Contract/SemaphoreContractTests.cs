using Padlock.Stores;
using Xunit;

namespace Padlock.Testing.Contract;

/// <summary>
/// The behaviour every store with semaphores (<see cref="ISemaphoreStore"/>) must show, run once per store through its
/// <see cref="LockStoreAdapter"/>: each provider it makes is a separate client of the store.
/// </summary>
public abstract class SemaphoreContractTests : ContractTestBase
{

    /// <summary>A semaphore name no other test uses.</summary>
    protected static string UniqueName() => $"sem-{Guid.NewGuid():N}";

    [Fact]
    public async Task Never_more_than_maxCount_holders_at_once_under_stress()
    {
        const int maxCount = 3, tasks = 16, rounds = 4;
        var name = UniqueName();
        var clients = new[] { NewProvider(), NewProvider() };
        int inside = 0, maxInside = 0, grants = 0;
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(i => Task.Run(async () =>
        {
            var s = clients[i % clients.Length].CreateSemaphore(name, maxCount);
            for (var k = 0; k < rounds; k++)
            {
                await using var h = await s.AcquireAsync(TimeSpan.FromSeconds(60));
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref maxInside, now);
                await Task.Delay(5); // hold a while, so that permits overlap
                Interlocked.Decrement(ref inside);
                Interlocked.Increment(ref grants);
            }
        })));
        Assert.Equal(tasks * rounds, grants);
        Assert.True(maxInside <= maxCount, $"{maxInside} holders at once with maxCount {maxCount}.");
        // Not a mutex in disguise: 16 tasks holding 5 ms each always overlap somewhere.
        Assert.True(maxInside >= 2, $"Permits never overlapped (at most {maxInside} holder at once).");
    }

    [Fact]
    public async Task Never_more_than_maxCount_holders_across_two_processes()
    {
        if (Adapter.CrossProcessUri is not { } uri)
        {
            Assert.Equal("mem", NewProvider().StoreKind); // one process by definition
            return;
        }
        const int maxCount = 3, workers = 8, rounds = 4;
        var name = UniqueName();
        // 16 clients: 8 tasks in another process and 8 here, each span recorded inside its real hold (see SemaphoreStressMode).
        var other = SemaphoreStress.StartAsync(uri, name, maxCount, workers, rounds, "5ms");
        var spans = new List<(long Start, long End, long Token)>();
        var provider = NewProvider();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            var s = provider.CreateSemaphore(name, maxCount);
            for (var k = 0; k < rounds; k++)
            {
                var h = await s.AcquireAsync(TimeSpan.FromMinutes(2));
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                await Task.Delay(5);
                var end = System.Diagnostics.Stopwatch.GetTimestamp();
                await h.DisposeAsync();
                lock (spans) spans.Add((start, end, h.FencingToken));
            }
        })));
        spans.AddRange(await other);
        Assert.Equal(2 * workers * rounds, spans.Count);
        Assert.Equal(spans.Count, spans.Select(s => s.Token).Distinct().Count());
        var most = SemaphoreStress.MostAtOnce(spans);
        Assert.True(most <= maxCount, $"{most} permits held at once across two processes with maxCount {maxCount}.");
    }

    [Fact]
    public async Task Fencing_tokens_strictly_increase_in_grant_order()
    {
        var name = UniqueName();
        var clients = new[] { NewProvider(), NewProvider() };
        long last = long.MinValue;
        var held = new List<ILockHandle>();
        for (var i = 0; i < 8; i++)
        {
            // Two permits held, then the older released: grants interleave across clients and slots.
            var h = await clients[i % 2].CreateSemaphore(name, 2).AcquireAsync(TimeSpan.FromSeconds(30));
            Assert.True(h.FencingToken > last, $"Permit {i} got token {h.FencingToken}, not above {last}.");
            last = h.FencingToken;
            held.Add(h);
            if (held.Count == 2)
            {
                await held[0].DisposeAsync();
                held.RemoveAt(0);
            }
        }
        foreach (var h in held) await h.DisposeAsync();
    }

    [Fact]
    public async Task Zero_timeout_is_granted_while_a_permit_is_free_and_null_when_none_is()
    {
        var name = UniqueName();
        var a = await NewProvider().CreateSemaphore(name, 2).TryAcquireAsync();
        var b = NewProvider().CreateSemaphore(name, 2).TryAcquire();
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Equal(name, a!.Name);
        Assert.NotEqual(a.FencingToken, b!.FencingToken);
        var third = NewProvider().CreateSemaphore(name, 2);
        Assert.Null(await third.TryAcquireAsync());
        Assert.Null(third.TryAcquire(TimeSpan.Zero));
        b.Dispose();
        using var c = third.TryAcquire();
        Assert.NotNull(c);
        await a.DisposeAsync();
    }

    [Fact]
    public async Task A_waiter_is_granted_when_a_permit_frees()
    {
        var name = UniqueName();
        var first = await NewProvider().CreateSemaphore(name, 2).AcquireAsync();
        await using var second = await NewProvider().CreateSemaphore(name, 2).AcquireAsync();
        var waiting = NewProvider().CreateSemaphore(name, 2).AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        await first.DisposeAsync();
        await using var got = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(got.FencingToken > second.FencingToken);
        Assert.False(first.LostToken.IsCancellationRequested); // a normal release is not a loss
    }

    [Fact]
    public async Task Timeout_and_cancellation_leave_nothing_behind()
    {
        var name = UniqueName();
        var held = await NewProvider().CreateSemaphore(name, 1).AcquireAsync();
        var other = NewProvider().CreateSemaphore(name, 1);
        var ex = await Assert.ThrowsAsync<TimeoutException>(async () => await other.AcquireAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Contains(name, ex.Message);
        Assert.Contains("semaphore", ex.Message);
        Assert.Null(await other.TryAcquireAsync(TimeSpan.FromMilliseconds(200)));
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await other.AcquireAsync(cancellationToken: cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await other.TryAcquireAsync(TimeSpan.FromSeconds(5), new CancellationToken(true)));
        await held.DisposeAsync();
        // No abandoned waiter holds or is queued ahead: a newcomer's single attempt is granted.
        await using var next = await NewProvider().CreateSemaphore(name, 1).TryAcquireAsync();
        Assert.NotNull(next);
    }

    [Fact]
    public async Task Clients_that_disagree_on_maxCount_are_refused()
    {
        var name = UniqueName();
        var held = await NewProvider().CreateSemaphore(name, 3).AcquireAsync();
        var smaller = await Assert.ThrowsAsync<SemaphoreCountMismatchException>(async () => await NewProvider().CreateSemaphore(name, 2).TryAcquireAsync());
        Assert.Equal((2, 3), (smaller.Requested, smaller.InUse));
        Assert.Contains(name, smaller.Message);
        var larger = await Assert.ThrowsAsync<SemaphoreCountMismatchException>(async () => await NewProvider().CreateSemaphore(name, 4).TryAcquireAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal((4, 3), (larger.Requested, larger.InUse));
        // The refused clients left nothing behind: the two other permits are still there.
        await using (var a = await NewProvider().CreateSemaphore(name, 3).TryAcquireAsync())
        await using (var b = await NewProvider().CreateSemaphore(name, 3).TryAcquireAsync())
        {
            Assert.NotNull(a);
            Assert.NotNull(b);
        }
        await held.DisposeAsync();
        // Once nobody holds or waits, the name may be used with another count.
        await using var resized = await NewProvider().CreateSemaphore(name, 2).TryAcquireAsync();
        Assert.NotNull(resized);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(SemaphoreLimits.MaxCount + 1)]
    public void A_bad_maxCount_is_an_ArgumentOutOfRangeException_naming_the_range(int maxCount)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => NewProvider().CreateSemaphore(UniqueName(), maxCount));
        Assert.Equal("maxCount", ex.ParamName);
        Assert.Contains($"1 to {SemaphoreLimits.MaxCount}", ex.Message);
        Assert.Equal(SemaphoreLimits.MaxCount, NewProvider().CreateSemaphore(UniqueName(), SemaphoreLimits.MaxCount).MaxCount);
    }

    [Fact]
    public async Task A_second_acquire_by_the_holding_flow_fails_at_once()
    {
        var name = UniqueName();
        var provider = NewProvider();
        var s = provider.CreateSemaphore(name, 2);
        var h = await s.AcquireAsync();
        var started = DateTime.UtcNow;
        await Assert.ThrowsAsync<LockRecursionException>(async () => await s.AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Throws<LockRecursionException>(() => provider.CreateSemaphore(name, 2).TryAcquire());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "The recursive acquire waited out its timeout.");
        // Another provider is another client: it gets the second permit.
        await using (var other = await NewProvider().CreateSemaphore(name, 2).TryAcquireAsync())
            Assert.NotNull(other);
        await h.DisposeAsync();
        await using var again = await s.TryAcquireAsync();
        Assert.NotNull(again);
    }

    [Fact]
    public async Task A_semaphore_and_a_lock_of_one_name_are_independent()
    {
        var name = UniqueName();
        var p = NewProvider();
        await using var permit = await p.CreateSemaphore(name, 1).TryAcquireAsync();
        await using var held = await p.CreateLock(name).TryAcquireAsync();
        Assert.NotNull(permit);
        Assert.NotNull(held);
    }

    [Fact]
    public async Task Disposing_the_provider_loses_its_permits_and_frees_them_at_once()
    {
        var name = UniqueName();
        var provider = Adapter.CreateOwningProvider();
        var h = await provider.CreateSemaphore(name, 1).AcquireAsync(TimeSpan.FromSeconds(30));
        await provider.DisposeAsync();
        Assert.True(h.IsLost, "A permit of a disposed provider must report itself lost.");
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await provider.CreateSemaphore(UniqueName(), 1).TryAcquireAsync());
        if (Adapter.CrossProcessUri is null)
        {
            await h.DisposeAsync();
            return; // mem://: the store went with its provider.
        }
        await using var next = await NewProvider().CreateSemaphore(name, 1).TryAcquireAsync();
        Assert.True(next is not null, "The permit of a disposed provider was still held.");
        await h.DisposeAsync(); // harmless, and must not free the new holder's permit
        Assert.Null(await NewProvider().CreateSemaphore(name, 1).TryAcquireAsync());
    }

    [Fact]
    public async Task Disposing_the_provider_fails_its_waiters_and_they_are_never_granted()
    {
        var name = UniqueName();
        var holderProvider = Adapter.CrossProcessUri is null ? Adapter.CreateOwningProvider() : NewProvider();
        var provider = Adapter.CrossProcessUri is null ? holderProvider : Adapter.CreateOwningProvider();
        // The holder is another async flow: on mem:// both use one provider, and a second acquire of a name by the
        // flow that holds it through that provider is refused at once (LockRecursionException), not queued.
        var held = await Task.Run(() => holderProvider.CreateSemaphore(name, 1).AcquireAsync().AsTask());
        var waiting = provider.CreateSemaphore(name, 1).AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        await Task.Delay(100); // let the wait begin (it must fail the same way if it had not)
        await provider.DisposeAsync();
        var ex = await Record.ExceptionAsync(() => waiting.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.True(ex is ObjectDisposedException, $"The waiter of a disposed provider ended with {ex?.GetType().Name ?? "a grant"}, not ObjectDisposedException.");
        if (Adapter.CrossProcessUri is null) return;
        await held.DisposeAsync();
        await using var next = await NewProvider().CreateSemaphore(name, 1).TryAcquireAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(next);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
