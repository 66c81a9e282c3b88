using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>
/// Bounded batching between stores (<see cref="RedisLockOptions.HandOffSlice"/>, <see cref="RedisLockOptions.HandOffBatch"/>):
/// a store keeps the key for its own callers while another store waits only until its turn is over, then the other
/// store gets it, even while local callers keep arriving; exclusion and token order hold across processes.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class HandOffSliceTests(RedisFixture fixture)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private string Uri(string extra = "") => $"redis://{fixture.Endpoint}?lease=5s{extra}";

    private static string NewName(string stem) => stem + "-" + Guid.NewGuid().ToString("N");

    [Theory]
    [InlineData(4)]
    [InlineData(1)]
    public async Task While_another_store_waits_a_turn_serves_at_most_batch_grants_though_local_callers_keep_coming(int batch)
    {
        // A long slice: only the grant count can end the turn here.
        var turn = await ContendAsync($"&slice=1s&batch={batch}", hold: TimeSpan.Zero);

        // The first holder was the turn's first grant: at most batch - 1 local hand-offs followed before the other store.
        Assert.InRange(turn.LocalBefore, batch == 1 ? 0 : 1, batch - 1);
        Assert.True(turn.RemoteToken > turn.FirstToken);
        Assert.Contains(turn.LocalTokens, t => t > turn.RemoteToken);
    }

    [Fact]
    public async Task While_another_store_waits_a_turn_ends_with_its_slice_though_its_batch_is_far_from_used()
    {
        // A big batch: only the slice can end the turn early. Each local hold lasts about 2 ms, so a 10 ms slice ends
        // the turn after a handful of grants; a turn bounded by its batch alone serves 255 more (seen with the slice ignored).
        var turn = await ContendAsync("&slice=10ms&batch=256", hold: TimeSpan.FromMilliseconds(2));

        // The turn began at the first holder's grant, before the other store joined, so its slice may be spent already;
        // a generous bound (a loaded machine stretches 2 ms holds) that is still far below the batch.
        Assert.InRange(turn.LocalBefore, 0, 64);
        Assert.True(turn.RemoteToken > turn.FirstToken);
    }

    /// <summary>
    /// A store (<paramref name="options"/>) holds the key with three more local callers queued, who come straight back
    /// after each hold of <paramref name="hold"/>; a second store joins the line; then the first holder releases. What
    /// the turn served before the second store was granted.
    /// </summary>
    private async Task<(long FirstToken, long RemoteToken, int LocalBefore, long[] LocalTokens)> ContendAsync(string options, TimeSpan hold)
    {
        var name = NewName("slice");
        await using var local = LockProvider.Create(Uri(options));
        await using var remote = LockProvider.Create(Uri());
        var store = (RedisLockStore)((LockProvider)local).Store;
        var first = await local.CreateLock(name).AcquireAsync();
        var grants = new List<long>();
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 3).Select(_ => SeparateFlow.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var h = await local.CreateLock(name).AcquireAsync(Guard);
                lock (grants) grants.Add(h.FencingToken);
                if (hold > TimeSpan.Zero) Thread.Sleep(hold);
            }
        })).ToArray();
        await Eventually.TrueAsync(() => store.LocalWaiters(name) == 3, "three local callers queue behind the first");
        var remoteNext = remote.CreateLock(name).AcquireAsync(Guard).AsTask();
        await Eventually.TrueAsync(() => store.KnowsOthersWait(name), "the holding store hears the other store join");
        await first.DisposeAsync();
        long remoteToken;
        int localBefore;
        await using (var remoteHold = await remoteNext)
        {
            remoteToken = remoteHold.FencingToken;
            lock (grants) localBefore = grants.Count(t => t < remoteToken);
            await stop.CancelAsync();
        }
        await Task.WhenAll(callers);
        lock (grants) return (first.FencingToken, remoteToken, localBefore, grants.ToArray());
    }

    [Fact]
    public async Task A_join_heard_while_the_grant_is_on_its_way_counts_for_the_hold_that_grant_makes()
    {
        var name = NewName("slice-early-join");
        await using var local = LockProvider.Create(Uri());
        await using var remote = LockProvider.Create(Uri());
        var store = (RedisLockStore)((LockProvider)local).Store;
        var held = await remote.CreateLock(name).AcquireAsync();
        var waiting = local.CreateLock(name).AcquireAsync(Guard).AsTask();
        await Eventually.TrueAsync(async () => (await store.InspectAsync(name)).Waiters!.Count == 1, "the local store waits in the Redis line");
        var channel = store.InboxChannel;
        await Eventually.TrueAsync(async () => (long)((StackExchange.Redis.RedisResult[])(await fixture.Admin.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", channel))!)[1] == 1,
            "the local store listens on its inbox");
        // Another process's join notice reaches the store before its hold exists, as it can when the notice overtakes
        // the continuation that sets the hold of a grant just handed over.
        await fixture.Admin.GetSubscriber().PublishAsync(StackExchange.Redis.RedisChannel.Literal(channel), name + "\n+00/5000:other-process");
        await Eventually.TrueAsync(() => store.JoinsHeard(name) > 0, "the store heard the join");
        await held.DisposeAsync();
        await using var granted = await waiting;
        // The hand-off itself said nobody else waited (the notice is the only news): the hold must still know.
        Assert.True(store.KnowsOthersWait(name), "The hold made after the notice does not know that another process waits.");
    }

    [Fact]
    public Task Batching_between_two_processes_keeps_exclusion_and_token_order_and_the_processes_take_turns()
        => ProcessTurns.CheckAsync(Uri(), NewName("slice-procs"));
}
