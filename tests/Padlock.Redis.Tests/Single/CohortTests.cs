using Padlock.Redis.Keys;
using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>
/// Lock cohorting: callers of one store hand the Redis key to each other without a round trip. Mutual exclusion,
/// fencing order, fairness to other stores, loss and leaving the local line must all still hold.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class CohortTests(RedisFixture fixture)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private string Uri(string extra = "") => $"redis://{fixture.Endpoint}?lease=5s{extra}";

    private static string NewName(string stem) => stem + "-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Local_hand_off_keeps_mutual_exclusion_an_exact_counter_and_rising_tokens()
    {
        var name = NewName("cohort-counter");
        var counterKey = "test:counter:" + name;
        var db = fixture.Admin.GetDatabase();
        await using var provider = LockProvider.Create(Uri());
        var tokens = new List<long>();
        int inside = 0, maxInside = 0;
        const int workers = 8, rounds = 40;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < rounds; i++)
            {
                await using var h = await provider.CreateLock(name).AcquireAsync(Guard);
                var now = Interlocked.Increment(ref inside);
                if (now > Volatile.Read(ref maxInside)) Interlocked.Exchange(ref maxInside, now);
                lock (tokens) tokens.Add(h.FencingToken);
                var value = (long)await db.StringGetAsync(counterKey);
                await db.StringSetAsync(counterKey, value + 1);
                Interlocked.Decrement(ref inside);
            }
        })));
        Assert.Equal(workers * rounds, (long)await db.StringGetAsync(counterKey));
        Assert.Equal(1, maxInside);
        AssertStrictlyIncreasing(tokens);
        // Consecutive tokens of one block are local hand-offs; a trip through Redis jumps to the next block.
        Assert.Contains(tokens.Zip(tokens.Skip(1)), p => p.Second == p.First + 1);
        await db.KeyDeleteAsync(counterKey);
    }

    [Fact]
    public async Task Tokens_strictly_increase_across_local_and_remote_holders_interleaved()
    {
        var name = NewName("cohort-fence");
        await using var a = LockProvider.Create(Uri());
        await using var b = LockProvider.Create(Uri());
        var order = new List<(int Store, long Token)>();
        int inside = 0, maxInside = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var provider = w % 2 == 0 ? a : b;
            for (var i = 0; i < 30; i++)
            {
                await using var h = await provider.CreateLock(name).AcquireAsync(Guard);
                var now = Interlocked.Increment(ref inside);
                if (now > Volatile.Read(ref maxInside)) Interlocked.Exchange(ref maxInside, now);
                lock (order) order.Add((w % 2, h.FencingToken));
                await Task.Delay(1);
                Interlocked.Decrement(ref inside);
            }
        })));
        Assert.Equal(1, maxInside);
        AssertStrictlyIncreasing(order.Select(o => o.Token).ToList());
        // The two stores really took turns (not one cohort first, then the other).
        var switches = order.Zip(order.Skip(1)).Count(p => p.First.Store != p.Second.Store);
        Assert.True(switches >= 2, $"Only {switches} switches between the two stores.");
    }

    [Fact]
    public async Task A_waiter_of_another_store_is_not_starved_by_a_busy_local_cohort()
    {
        var name = NewName("cohort-starve");
        await using var busy = LockProvider.Create(Uri());
        await using var other = LockProvider.Create(Uri());
        using var stop = new CancellationTokenSource();
        var localAcquisitions = 0;
        // Six callers of one store keep the lock busy: each holds it for a moment, so at every release the others are
        // already in the local line and there is always someone to hand it to.
        var cohort = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var h = await busy.CreateLock(name).AcquireAsync(Guard);
                Interlocked.Increment(ref localAcquisitions);
                await Task.Delay(1);
            }
        })).ToArray();
        await Eventually.TrueAsync(() => Volatile.Read(ref localAcquisitions) > 20, "more than 20 local acquisitions");
        try
        {
            for (var i = 0; i < 5; i++)
            {
                // The guard is generous; a starving design would never get in while the cohort runs.
                await using var h = await other.CreateLock(name).TryAcquireAsync(Guard);
                Assert.NotNull(h);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(cohort);
        }
    }

    [Fact]
    public async Task A_waiter_whose_joining_message_was_lost_is_still_served_by_a_busy_cohort()
    {
        var name = NewName("cohort-silent");
        var keys = LockKeys.For("padlock:", name);
        var db = fixture.Admin.GetDatabase();
        await using var busy = LockProvider.Create(Uri());
        using var stop = new CancellationTokenSource();
        var localAcquisitions = 0;
        var cohort = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var h = await busy.CreateLock(name).AcquireAsync(Guard);
                Interlocked.Increment(ref localAcquisitions);
                await Task.Delay(1);
            }
        })).ToArray();
        await Eventually.TrueAsync(() => Volatile.Read(ref localAcquisitions) > 20, "more than 20 local acquisitions");
        // A waiter that joined the Redis line without the store hearing of it (its message lost): only the periodic
        // check of the line can find it. It asks for a 1 s lease and never shows up, so the cohort gets the key back.
        var silent = "00/1000:silent-waiter";
        var time = (StackExchange.Redis.RedisResult[])(await db.ExecuteAsync("TIME"))!;
        var now = (long)time[0] * 1000 + (long)time[1] / 1000;
        await db.SortedSetAddAsync(keys.Deadlines, silent, now + 20_000);
        await db.ListRightPushAsync(keys.Queue, silent);
        try
        {
            await Eventually.TrueAsync(async () => (string?)await db.StringGetAsync(keys.Lock) == silent, "the silent process holds the key");
            var before = Volatile.Read(ref localAcquisitions);
            await Eventually.TrueAsync(() => Volatile.Read(ref localAcquisitions) > before + 5, "five more local acquisitions");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(cohort);
        }
    }

    [Fact]
    public async Task Once_another_store_waits_in_Redis_a_release_goes_to_it_before_the_next_local_waiter()
    {
        var name = NewName("cohort-yield");
        // Strict first-come-first-served between stores (no hand-off slice): the next release goes to the other store.
        await using var local = LockProvider.Create(Uri("&slice=0ms"));
        await using var remote = LockProvider.Create(Uri());
        var localStore = (RedisLockStore)((LockProvider)local).Store;
        var first = await local.CreateLock(name).AcquireAsync();
        var localNext = SeparateFlow.Run(async () => await local.CreateLock(name).AcquireAsync(Guard));
        await Eventually.TrueAsync(() => LocalWaiting(local, name), "a local waiter is in line");
        var remoteNext = remote.CreateLock(name).AcquireAsync(Guard).AsTask();
        // The remote waiter's joining message reaches the holding store.
        await Eventually.TrueAsync(() => localStore.KnowsOthersWait(name), "the store knows others wait");
        await first.DisposeAsync();
        var remoteHold = await remoteNext;
        Assert.False(localNext.IsCompleted);
        Assert.True(remoteHold.FencingToken >= first.FencingToken + 256);
        await remoteHold.DisposeAsync();
        await using var localHold = await localNext;
        Assert.True(localHold.FencingToken > remoteHold.FencingToken);
    }

    [Fact]
    public async Task Losing_the_key_fires_LostToken_for_the_local_holder_handed_the_lock_and_the_line_recovers()
    {
        var name = NewName("cohort-loss");
        await using var provider = LockProvider.Create(Uri("&renew=200ms"));
        var first = await provider.CreateLock(name).AcquireAsync();
        var secondTask = SeparateFlow.Run(async () => await provider.CreateLock(name).AcquireAsync(Guard));
        await Eventually.TrueAsync(() => !secondTask.IsCompleted && LocalWaiting(provider, name), "the second caller waits in the local line");
        await first.DisposeAsync();
        var second = await secondTask;
        // Handed over inside the store: the next token of the block, or (when the 50 ms window closed first, as on a
        // loaded machine) the first of a block the refill reserved; either way above the first holder's.
        Assert.True(second.FencingToken > first.FencingToken);
        var thirdTask = SeparateFlow.Run(async () => await provider.CreateLock(name).AcquireAsync(Guard));

        Assert.True(await fixture.Admin.GetDatabase().KeyDeleteAsync(LockKeys.For("padlock:", name).Lock));
        Assert.True(await FiresAsync(second.LostToken, Guard), "The local holder's LostToken did not fire.");
        Assert.False(first.LostToken.IsCancellationRequested, "A holder that had released was told of a later loss.");
        Assert.False(thirdTask.IsCompleted);

        // A lost hold is not passed on: the next local waiter takes the key from Redis afresh, above the whole block.
        await second.DisposeAsync();
        await using var third = await thirdTask;
        Assert.False(third.IsLost);
        // Blocks are 256 tokens; the lost hold's block started at or below second's token, so a fresh one is 255+ above it.
        Assert.True(third.FencingToken - second.FencingToken >= 255, $"{third.FencingToken} is inside the lost hold's block (second held {second.FencingToken}).");
    }

    [Fact]
    public async Task Local_waiters_that_time_out_or_cancel_leave_nothing_behind()
    {
        var name = NewName("cohort-leave");
        await using var local = LockProvider.Create(Uri());
        await using var remote = LockProvider.Create(Uri());
        var store = (RedisLockStore)((LockProvider)local).Store;

        // Waiting behind a holder of the same store.
        var held = await local.CreateLock(name).AcquireAsync();
        // From other flows of this process: this flow, holding the name through the same provider, would be refused.
        Assert.Null(await SeparateFlow.Run(async () => await local.CreateLock(name).TryAcquireAsync(TimeSpan.FromMilliseconds(200))));
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => SeparateFlow.Run(async () => await local.CreateLock(name).AcquireAsync(cancellationToken: cts.Token)));
        await held.DisposeAsync();
        await using (var taken = await remote.CreateLock(name).TryAcquireAsync())
            Assert.NotNull(taken);

        // Waiting behind another store: the store's turn in the Redis line ends when its last local waiter leaves.
        var remoteHold = await remote.CreateLock(name).AcquireAsync();
        using var cancel = new CancellationTokenSource();
        var cancelled = local.CreateLock(name).AcquireAsync(cancellationToken: cancel.Token).AsTask();
        var timedOut = local.CreateLock(name).TryAcquireAsync(TimeSpan.FromMilliseconds(500)).AsTask();
        await Eventually.TrueAsync(async () => (await store.InspectAsync(name)).Waiters!.Count == 1, "one waiter in the line");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Null(await timedOut);
        await Eventually.TrueAsync(async () => (await store.InspectAsync(name)).Waiters!.Count == 0, "the line is empty");
        await remoteHold.DisposeAsync();
        await using (var again = await remote.CreateLock(name).TryAcquireAsync())
            Assert.NotNull(again);
    }

    [Fact]
    public async Task A_local_waiter_still_gets_the_lock_when_the_one_ahead_of_it_cancels()
    {
        var name = NewName("cohort-cancel-one");
        await using var local = LockProvider.Create(Uri());
        await using var remote = LockProvider.Create(Uri());
        var remoteHold = await remote.CreateLock(name).AcquireAsync();
        using var cancel = new CancellationTokenSource();
        var cancelled = local.CreateLock(name).AcquireAsync(cancellationToken: cancel.Token).AsTask();
        var staying = local.CreateLock(name).AcquireAsync(Guard).AsTask();
        var store = (RedisLockStore)((LockProvider)local).Store;
        await Eventually.TrueAsync(async () => (await store.InspectAsync(name)).Waiters!.Count == 1, "one waiter in the line");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await remoteHold.DisposeAsync();
        await using var got = await staying;
        Assert.True(got.FencingToken > remoteHold.FencingToken);
    }

    private static bool LocalWaiting(ILockProvider provider, string name)
        => ((RedisLockStore)((LockProvider)provider).Store).LocalWaiters(name) > 0;

    private static void AssertStrictlyIncreasing(IReadOnlyList<long> tokens)
    {
        for (var i = 1; i < tokens.Count; i++)
            Assert.True(tokens[i] > tokens[i - 1], $"Token {i} ({tokens[i]}) is not above token {i - 1} ({tokens[i - 1]}).");
    }

    private static async Task<bool> FiresAsync(CancellationToken token, TimeSpan guard)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var reg = token.Register(() => tcs.TrySetResult());
        return await Task.WhenAny(tcs.Task, Task.Delay(guard)) == tcs.Task;
    }
}
