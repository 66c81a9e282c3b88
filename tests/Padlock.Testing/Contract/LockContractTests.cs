using Xunit;

namespace Padlock.Testing.Contract;

/// <summary>
/// The behaviour every store must show, run once per store through its <see cref="LockStoreAdapter"/>.
/// A store's test project derives one class from this and supplies the adapter (usually from a server fixture).
/// </summary>
public abstract partial class LockContractTests : IAsyncLifetime
{
    private readonly List<ILockProvider> _providers = [];

    /// <summary>The store under test.</summary>
    protected abstract LockStoreAdapter Adapter { get; }

    /// <summary>A fresh provider, disposed after the test.</summary>
    protected ILockProvider NewProvider()
    {
        var p = Adapter.CreateProvider();
        lock (_providers) _providers.Add(p);
        return p;
    }

    /// <summary>A lock name no other test uses.</summary>
    protected static string UniqueName(string prefix = "contract") => $"{prefix}-{Guid.NewGuid():N}";

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var p in _providers) await p.DisposeAsync();
    }

    [Fact]
    public async Task Mutual_exclusion_keeps_a_shared_counter_exact()
    {
        var name = UniqueName();
        var clients = new[] { NewProvider(), NewProvider() };
        int counter = 0, inside = 0, maxInside = 0;
        const int tasks = 20, increments = 5;
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(i => Task.Run(async () =>
        {
            var l = clients[i % clients.Length].CreateLock(name);
            for (var k = 0; k < increments; k++)
            {
                await using var h = await l.AcquireAsync(TimeSpan.FromSeconds(60));
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref maxInside, now);
                var read = counter;
                await Task.Yield(); // the chapter's race: read, let others run, write back
                counter = read + 1;
                Interlocked.Decrement(ref inside);
            }
        })));
        Assert.Equal(tasks * increments, counter);
        Assert.Equal(1, maxInside);
    }

    [Fact]
    public async Task TryAcquire_with_zero_timeout_returns_null_when_held()
    {
        var name = UniqueName();
        await using var held = await NewProvider().CreateLock(name).AcquireAsync();
        var other = NewProvider().CreateLock(name);
        Assert.Null(await other.TryAcquireAsync());
        Assert.Null(other.TryAcquire(TimeSpan.Zero));
    }

    [Fact]
    public void TryAcquire_succeeds_at_once_when_free_and_sync_forms_work()
    {
        var l = NewProvider().CreateLock(UniqueName());
        using (var h = l.TryAcquire())
        {
            Assert.NotNull(h);
            Assert.Equal(l.Name, h!.Name);
        }
        using var h2 = l.Acquire(TimeSpan.FromSeconds(30));
        Assert.False(h2.IsLost);
    }

    [Fact]
    public async Task Acquire_times_out_with_TimeoutException_naming_the_lock()
    {
        var name = UniqueName();
        await using var held = await NewProvider().CreateLock(name).AcquireAsync();
        var other = NewProvider().CreateLock(name);
        var ex = await Assert.ThrowsAsync<TimeoutException>(async () => await other.AcquireAsync(TimeSpan.FromMilliseconds(300)));
        Assert.Contains(name, ex.Message);
        Assert.Null(await other.TryAcquireAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Throws<TimeoutException>(() => other.Acquire(TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task Waiter_gets_the_lock_when_the_holder_releases()
    {
        var name = UniqueName();
        var held = await NewProvider().CreateLock(name).AcquireAsync();
        var waiting = NewProvider().CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        if (!await WaitUntilQueuedAsync(name, 1, "the waiter is queued"))
            await Task.Delay(200); // file://, redlock://: waiters poll or retry and keep no line to observe; let this one try
        Assert.False(waiting.IsCompleted);
        await held.DisposeAsync();
        await using var got = await waiting;
        Assert.True(got.FencingToken > held.FencingToken);
    }

    [Fact]
    public async Task Cancellation_stops_the_wait_and_leaves_nothing_behind()
    {
        var name = UniqueName();
        var held = await NewProvider().CreateLock(name).AcquireAsync();
        var waiterLock = NewProvider().CreateLock(name);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiterLock.AcquireAsync(cancellationToken: cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiterLock.TryAcquireAsync(TimeSpan.FromSeconds(5), new CancellationToken(true)));
        await held.DisposeAsync();
        // The cancelled waiter must not still be queued ahead of a newcomer.
        await using var next = await NewProvider().CreateLock(name).TryAcquireAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(next);
    }

    [Fact]
    public async Task Release_twice_is_harmless()
    {
        var name = UniqueName();
        var l = NewProvider().CreateLock(name);
        var h = await l.AcquireAsync();
        await h.DisposeAsync();
        await h.DisposeAsync();
        h.Dispose();
        await using var again = await l.TryAcquireAsync();
        Assert.NotNull(again);
        h.Dispose(); // the old handle must not release the new hold
        Assert.Null(await NewProvider().CreateLock(name).TryAcquireAsync());
    }

    [Fact]
    public async Task Normal_release_does_not_fire_LostToken()
    {
        var h = await NewProvider().CreateLock(UniqueName()).AcquireAsync();
        var token = h.LostToken;
        await h.DisposeAsync();
        Assert.False(token.IsCancellationRequested);
        // That nothing fires later has no probe: give a loss check or renewal the release failed to stop time to fire.
        await Task.Delay(200);
        Assert.False(token.IsCancellationRequested);
    }

    [Fact]
    public async Task LostToken_fires_when_the_hold_is_lost()
    {
        var provider = NewProvider();
        var h = await provider.CreateLock(UniqueName()).AcquireAsync();
        var lost = new TaskCompletionSource();
        h.LostToken.Register(() => lost.TrySetResult());
        await Adapter.MakeLostAsync(provider, h);
        var done = await Task.WhenAny(lost.Task, Task.Delay(Adapter.LossDetectionLimit));
        Assert.True(done == lost.Task, $"LostToken did not fire within {Adapter.LossDetectionLimit.TotalSeconds} s of the hold being lost.");
        Assert.True(h.IsLost);
        await h.DisposeAsync();
    }

    [Fact]
    public async Task Release_after_loss_never_removes_the_new_holders_lock()
    {
        var name = UniqueName();
        var provider = NewProvider();
        var first = await provider.CreateLock(name).AcquireAsync();
        await Adapter.MakeLostAsync(provider, first);
        await using var second = await NewProvider().CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(60));
        await first.DisposeAsync();
        Assert.Null(await NewProvider().CreateLock(name).TryAcquireAsync());
        Assert.False(second.IsLost);
        Assert.True(second.FencingToken > first.FencingToken);
    }

    [Fact]
    public async Task Fencing_tokens_strictly_increase_across_holders()
    {
        var name = UniqueName();
        var clients = new[] { NewProvider(), NewProvider() };
        long last = long.MinValue;
        for (var i = 0; i < 6; i++)
        {
            await using var h = await clients[i % 2].CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(30));
            Assert.True(h.FencingToken > last, $"Holder {i} got token {h.FencingToken}, not above {last}.");
            last = h.FencingToken;
        }
    }

    [Fact]
    public async Task Different_names_are_independent_and_any_name_is_accepted()
    {
        var p = NewProvider();
        string[] names = ["a/b", "a%2Fb", "..", ".", "with space", "ünïcødé-锁", "tab\tand\nnewline", "a:b*c?\"<>|", new string('x', LockNames.MaxLength - 40)];
        var handles = new List<ILockHandle>();
        foreach (var n in names.Select(n => n + UniqueName("")))
        {
            var h = await p.CreateLock(n).TryAcquireAsync();
            Assert.NotNull(h);
            handles.Add(h!);
        }
        // names are also distinct from each other after any encoding the store does
        var p2 = NewProvider();
        await using (var raw = await p2.CreateLock("a/b").TryAcquireAsync())
        await using (var encoded = await p2.CreateLock("a%2Fb").TryAcquireAsync())
        {
            Assert.NotNull(raw);
            Assert.NotNull(encoded);
        }
        foreach (var h in handles) await h.DisposeAsync();
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Bad_names_are_ArgumentExceptions(string name)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => NewProvider().CreateLock(name));
        Assert.Equal("name", ex.ParamName);
    }

    [Fact]
    public void Null_and_overlong_names_are_ArgumentExceptions()
    {
        var p = NewProvider();
        Assert.Throws<ArgumentNullException>(() => p.CreateLock(null!));
        var ex = Assert.Throws<ArgumentException>(() => p.CreateLock(new string('x', LockNames.MaxLength + 1)));
        Assert.Contains("512", ex.Message);
    }

    // Code units rather than strings: xunit's serialisation of theory data would itself turn lone surrogates into U+FFFD.
    [Theory]
    [InlineData("u", 0xD800, -1)]
    [InlineData("u", 0xDBFF, -1)]
    [InlineData("v", 0xDC00, -1)]
    [InlineData("", 0xDC00, 0xD800)]
    public void Names_with_a_lone_surrogate_are_ArgumentExceptions(string prefix, int unit, int second)
    {
        // UTF-8 turns every lone surrogate into U+FFFD, so "u\uD800" and "u\uDBFF" would share one lock.
        var name = prefix + (char)unit + (second < 0 ? "" : ((char)second).ToString());
        var ex = Assert.ThrowsAny<ArgumentException>(() => NewProvider().CreateLock(name));
        Assert.Equal("name", ex.ParamName);
        Assert.Contains("surrogate", ex.Message);
    }

    [Fact]
    public async Task Names_that_differ_only_after_encoding_stay_apart()
    {
        var p = NewProvider();
        var id = UniqueName("");
        // U+FFFD itself and a valid surrogate pair are ordinary names, distinct from each other and from "?".
        await using var replacement = await p.CreateLock("v\uFFFD" + id).TryAcquireAsync();
        await using var pair = await p.CreateLock("v\uD83D\uDE00" + id).TryAcquireAsync();
        await using var question = await p.CreateLock("v?" + id).TryAcquireAsync();
        Assert.NotNull(replacement);
        Assert.NotNull(pair);
        Assert.NotNull(question);
    }

    [Fact]
    public async Task A_positive_timeout_bounds_the_waiting_never_the_first_attempt()
    {
        // A fresh provider's first call also connects: that is part of the attempt, bounded by the connect timeout.
        await using (var first = await NewProvider().CreateLock(UniqueName()).TryAcquireAsync(TimeSpan.FromMilliseconds(1)))
            Assert.True(first is not null, "TryAcquireAsync(1 ms) on a free lock through a new provider returned null.");
        var l = NewProvider().CreateLock(UniqueName());
        for (var i = 0; i < 20; i++)
        {
            await using var h = await l.TryAcquireAsync(TimeSpan.FromMilliseconds(1 + i % 3));
            Assert.True(h is not null, $"Attempt {i}: TryAcquireAsync({1 + i % 3} ms) on a free lock returned null.");
        }
    }

    [Fact]
    public async Task Disposing_the_provider_loses_its_holds_and_frees_them_at_once()
    {
        var name = UniqueName();
        var provider = Adapter.CreateOwningProvider();
        var h = await provider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(30));
        await provider.DisposeAsync();
        Assert.True(h.IsLost, "A hold of a disposed provider must report itself lost.");
        Assert.True(h.LostToken.IsCancellationRequested);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await provider.CreateLock(UniqueName()).TryAcquireAsync());
        if (Adapter.CrossProcessUri is null)
        {
            await h.DisposeAsync();
            return; // mem://: the store went with its provider; nobody else could see the lock.
        }
        // Freed at once, not when a lease runs out: a zero-timeout attempt by another client succeeds now.
        await using var next = await NewProvider().CreateLock(name).TryAcquireAsync();
        Assert.True(next is not null, "The lock of a disposed provider was still held.");
        await h.DisposeAsync(); // harmless, and must not free the new hold
        h.Dispose();
        Assert.Null(await NewProvider().CreateLock(name).TryAcquireAsync());
        Assert.False(next!.IsLost);
    }

    [Fact]
    public async Task Disposing_the_provider_fails_its_waiters_and_they_are_never_granted()
    {
        var name = UniqueName();
        var holderProvider = Adapter.CrossProcessUri is null ? Adapter.CreateOwningProvider() : NewProvider();
        var provider = Adapter.CrossProcessUri is null ? holderProvider : Adapter.CreateOwningProvider();
        // The holder is another async flow: on mem:// both use one provider, and a second acquire of a name by the
        // flow that holds it through that provider is refused at once (LockRecursionException), not queued.
        var held = await SeparateFlow.Run(async () => await holderProvider.CreateLock(name).AcquireAsync());
        var waiting = provider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        // Let the wait begin (it must fail the same way if it had not): queued in the store's line where the adapter
        // can count it; else (mem://'s owning provider has a store of its own, file:// keeps no line) a short pause.
        if (Adapter.CrossProcessUri is null || !await WaitUntilQueuedAsync(name, 1, "the waiter is queued")) await Task.Delay(100);
        await provider.DisposeAsync();
        var ex = await Record.ExceptionAsync(() => waiting.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.True(ex is ObjectDisposedException, $"The waiter of a disposed provider ended with {ex?.GetType().Name ?? "a grant"}, not ObjectDisposedException.");
        if (Adapter.CrossProcessUri is null) return;
        await held.DisposeAsync();
        // The failed waiter left nothing behind: a newcomer gets the lock.
        await using var next = await NewProvider().CreateLock(name).TryAcquireAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(next);
    }

    [Fact]
    public async Task Bad_timeouts_are_ArgumentOutOfRangeExceptions()
    {
        var l = NewProvider().CreateLock(UniqueName());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await l.TryAcquireAsync(TimeSpan.FromSeconds(-2)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await l.AcquireAsync(TimeSpan.FromDays(400)));
        Assert.Throws<ArgumentOutOfRangeException>(() => l.Acquire(TimeSpan.FromMilliseconds(-5)));
    }

    [Fact]
    public async Task Another_process_holding_the_lock_excludes_this_one()
    {
        if (Adapter.CrossProcessUri is not { } uri)
        {
            // mem:// lives in one process by definition; its adapter says so, and the test checks that claim instead.
            Assert.Equal("mem", NewProvider().StoreKind);
            return;
        }
        var name = UniqueName();
        await using var holder = await HolderProcess.AcquireAsync(uri, name);
        var mine = NewProvider().CreateLock(name);
        Assert.Null(await mine.TryAcquireAsync());
        var waiting = mine.AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        await holder.ReleaseAsync();
        await using var h = await waiting;
        Assert.True(h.FencingToken > holder.FencingToken);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
