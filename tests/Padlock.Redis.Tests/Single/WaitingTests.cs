using Padlock.Redis.Keys;
using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>Waiting: woken by the release (not a poll), dead waiters leave the line (arrival order: the contract suite).</summary>
[Collection(RedisCollection.Name)]
public sealed class WaitingTests(RedisFixture fixture)
{
    private string Uri(string extra = "") => $"redis://{fixture.Endpoint}?lease=5s{extra}";

    [Fact]
    public async Task A_waiter_is_woken_by_the_release_not_by_a_poll()
    {
        var name = "wake-" + Guid.NewGuid().ToString("N");
        // The fallback check comes only after 10 s; the waiter gives up after 8 s. Only the wake-up can serve it.
        await using var holderProvider = LockProvider.Create(Uri());
        await using var waiterProvider = LockProvider.Create(Uri("&fallback=10s"));
        var held = await holderProvider.CreateLock(name).AcquireAsync();
        var store = (RedisLockStore)((LockProvider)waiterProvider).Store;
        var waiting = waiterProvider.CreateLock(name).TryAcquireAsync(TimeSpan.FromSeconds(8)).AsTask();
        await Eventually.TrueAsync(async () => (await store.InspectAsync(name)).Waiters!.Count == 1, "the waiter is in line");
        await held.DisposeAsync();
        await using var got = await waiting;
        Assert.NotNull(got);
    }

    [Fact]
    public async Task A_dead_waiter_at_the_head_of_the_line_expires_and_does_not_block_it()
    {
        var name = "dead-" + Guid.NewGuid().ToString("N");
        var keys = LockKeys.For("padlock:", name);
        var db = fixture.Admin.GetDatabase();
        // A waiter whose process died: in the line, with a check-in deadline one second from now.
        var time = (StackExchange.Redis.RedisResult[])(await db.ExecuteAsync("TIME"))!;
        var now = (long)time[0] * 1000 + (long)time[1] / 1000;
        await db.ListRightPushAsync(keys.Queue, "00/1000:dead-process");
        await db.SortedSetAddAsync(keys.Deadlines, "00/1000:dead-process", now + 1000);
        await using var provider = LockProvider.Create(Uri());
        Assert.Null(await provider.CreateLock(name).TryAcquireAsync());
        await using var h = await provider.CreateLock(name).TryAcquireAsync(TimeSpan.FromSeconds(20));
        Assert.NotNull(h);
        Assert.False(await db.KeyExistsAsync(keys.Queue));
    }

    [Fact]
    public async Task Status_shows_the_holder_its_token_lease_and_the_waiters()
    {
        var name = "status-" + Guid.NewGuid().ToString("N");
        await using var holder = LockProvider.Create(Uri(), new Stores.StoreContext { OwnerDescription = "holder-host/1" });
        await using var waiter = LockProvider.Create(Uri(), new Stores.StoreContext { OwnerDescription = "waiter-host/2" });
        var store = (RedisLockStore)holder.Store;
        Assert.False((await store.InspectAsync(name)).IsHeld);
        await using var h = await holder.CreateLock(name).AcquireAsync();
        using var cts = new CancellationTokenSource();
        var waiting = waiter.CreateLock(name).AcquireAsync(cancellationToken: cts.Token).AsTask();
        await Eventually.TrueAsync(async () => (await store.InspectAsync(name)).Waiters!.Count == 1, "the waiter is in line");
        var status = await store.InspectAsync(name);
        Assert.True(status.IsHeld);
        Assert.Equal("holder-host/1", status.Owner);
        Assert.Equal(h.FencingToken, status.FencingToken);
        Assert.InRange(status.LeaseRemaining!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(5));
        Assert.Equal(["waiter-host/2"], status.Waiters);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Empty((await store.InspectAsync(name)).Waiters!);
    }

    [Fact]
    public async Task Lock_wake_ups_go_to_the_waiting_store_s_inbox_only_and_it_is_let_go_after_the_waits()
    {
        var prefix = "numsub" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var holder = LockProvider.Create(Uri("&prefix=" + prefix));
        await using var waiters = LockProvider.Create(Uri("&prefix=" + prefix));
        await using var bystander = LockProvider.Create(Uri("&prefix=" + prefix));
        var names = Enumerable.Range(0, 5).Select(i => $"shared-{i}").ToArray();
        var held = new List<ILockHandle>();
        // Taken without waiting, so the holder store never subscribes: only the waiters' store does.
        foreach (var n in names) held.Add((await holder.CreateLock(n).TryAcquireAsync())!);
        var waiting = names.Select(n => waiters.CreateLock(n).AcquireAsync(TimeSpan.FromSeconds(30)).AsTask()).ToArray();
        var store = (RedisLockStore)waiters.Store;
        await Eventually.TrueAsync(async () => (await Task.WhenAll(names.Select(n => store.InspectAsync(n).AsTask()))).All(s => s.Waiters!.Count == 1), "one waiter in every line");
        // One channel for the store, however many names it waits for: its inbox, where releases address its grants.
        await Eventually.TrueAsync(async () => (await Subscribers(store.InboxChannel))[0] == 1, "the waiting store listens on its inbox");
        var db = fixture.Admin.GetDatabase();
        var channels = ((StackExchange.Redis.RedisResult[])(await db.ExecuteAsync("PUBSUB", "CHANNELS", prefix + "*"))!).Select(c => (string)c!).ToArray();
        Assert.Equal([store.InboxChannel], channels);
        // The holder hears nothing it does not need either: a store that never waited has no subscription at all, and
        // a store using the same prefix on other names is not woken by these releases (it listens on nothing).
        Assert.Equal(0, (await Subscribers(((RedisLockStore)bystander.Store).InboxChannel))[0]);
        foreach (var h in held) await h.DisposeAsync();
        foreach (var w in waiting) await (await w).DisposeAsync();
        // After the linger, the inbox is let go.
        await Eventually.TrueAsync(async () => (await Subscribers(store.InboxChannel))[0] == 0, "the inbox is unsubscribed after the waits");
    }

    [Fact]
    public async Task A_waiter_whose_subscription_is_dropped_is_still_granted_by_the_fallback_check()
    {
        var name = "dropped-" + Guid.NewGuid().ToString("N");
        await using var holder = LockProvider.Create(Uri());
        await using var waiter = LockProvider.Create(Uri("&fallback=100ms"));
        var store = (RedisLockStore)waiter.Store;
        var held = await holder.CreateLock(name).AcquireAsync();
        var waiting = waiter.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(30)).AsTask();
        await Eventually.TrueAsync(async () => (await store.InspectAsync(name)).Waiters!.Count == 1, "the waiter is in line");
        await Eventually.TrueAsync(async () => (await Subscribers(store.InboxChannel))[0] == 1, "the waiter's store listens on its inbox");
        // Every subscription link is cut: the hand-off message of the release below may reach nobody.
        await using (var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(fixture.Endpoint + ",allowAdmin=true"))
            await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        await held.DisposeAsync();
        await using var got = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(got.FencingToken > held.FencingToken);
    }

    private async Task<long[]> Subscribers(params string[] channels)
    {
        var args = new object[] { "NUMSUB" }.Concat(channels).ToArray();
        var reply = (StackExchange.Redis.RedisResult[])(await fixture.Admin.GetDatabase().ExecuteAsync("PUBSUB", args))!;
        return [.. Enumerable.Range(0, channels.Length).Select(i => (long)reply[2 * i + 1])];
    }
}
