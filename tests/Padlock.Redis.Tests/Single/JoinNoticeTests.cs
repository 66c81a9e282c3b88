using System.Collections.Concurrent;
using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>
/// The join notice (a waiter telling the holding store that someone waits in the Redis line) is sent by the first
/// waiter behind a holder only: with one caller per process, every grant used to make the process that just released
/// wake the new holder's process again in the middle of its hold, to say what its grant had already said. A store
/// listens on its inbox while callers queue in it, so the holder here has a local caller queued behind it.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class JoinNoticeTests(RedisFixture fixture)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private string Uri => $"redis://{fixture.Endpoint}?lease=5s";

    [Fact]
    public async Task Only_the_first_waiter_behind_a_holder_sends_it_a_join_notice()
    {
        var name = "join-notice-" + Guid.NewGuid().ToString("N");
        // Strict turns (slice 0): with others known to wait, the holder's release gives the key back to the Redis line.
        await using var holder = LockProvider.Create(Uri + "&slice=0ms");
        await using var first = LockProvider.Create(Uri);
        await using var second = LockProvider.Create(Uri);
        var store = (RedisLockStore)((LockProvider)holder).Store;
        var inbox = RedisChannel.Literal(store.InboxChannel);
        var heard = new ConcurrentQueue<string>();
        var subscriber = fixture.Admin.GetSubscriber();
        await subscriber.SubscribeAsync(inbox, (_, m) => heard.Enqueue(m.ToString()));
        try
        {
            var held = await holder.CreateLock(name).AcquireAsync();
            // A caller queued behind the holder inside its store: the store now listens on its inbox for joins.
            var localNext = SeparateFlow.Run(async () => await holder.CreateLock(name).AcquireAsync(Guard));
            await Eventually.TrueAsync(() => store.LocalWaiters(name) == 1, "a local caller queues behind the holder");
            await Eventually.TrueAsync(async () => (long)((RedisResult[])(await fixture.Admin.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", inbox.ToString()))!)[1] == 2,
                "the holding store listens on its inbox");
            var firstWait = first.CreateLock(name).AcquireAsync(Guard).AsTask();
            await Eventually.TrueAsync(async () => (await store.InspectAsync(name)).Waiters!.Count == 1, "the first waiter is in the Redis line");
            await Eventually.TrueAsync(() => store.KnowsOthersWait(name), "the holding store hears the first waiter join");
            var secondWait = second.CreateLock(name).AcquireAsync(Guard).AsTask();
            await Eventually.TrueAsync(async () => (await store.InspectAsync(name)).Waiters!.Count == 2, "the second waiter is in the Redis line");
            // Messages reach one subscriber in publish order: once this marker is heard, any notice of the second join has been too.
            await subscriber.PublishAsync(inbox, "marker");
            await Eventually.TrueAsync(() => heard.Contains("marker"), "the marker arrives");

            var notices = heard.Where(m => m.Contains("\n+", StringComparison.Ordinal)).ToList();
            Assert.True(notices.Count == 1, $"The holder's inbox got {notices.Count} join notices for two waiters: {string.Join(" | ", notices)}");
            Assert.True(store.KnowsOthersWait(name));

            // The line still works: the holder's turn is over (others wait, slice 0), so the first
            // waiter, then the second, then the local caller, who queued in Redis behind them.
            await held.DisposeAsync();
            var a = await firstWait;
            Assert.False(secondWait.IsCompleted);
            await a.DisposeAsync();
            var b = await secondWait;
            Assert.True(b.FencingToken > a.FencingToken);
            await b.DisposeAsync();
            await using var c = await localNext;
            Assert.True(c.FencingToken > b.FencingToken);
        }
        finally
        {
            await subscriber.UnsubscribeAsync(inbox);
        }
    }
}
