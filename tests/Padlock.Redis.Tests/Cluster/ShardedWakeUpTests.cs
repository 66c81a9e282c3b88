using System.Globalization;
using Padlock.LocalServers;
using Padlock.Testing;
using Xunit;

namespace Padlock.Redis.Tests.Cluster;

/// <summary>
/// On a Redis Cluster of 7.0+ (the installed redis-server is 7.0.15) wake-ups use sharded pub/sub: scripts SPUBLISH to
/// channels in the slot of the name's keys and stores SSUBSCRIBE on the node owning it, so a hand-off is not broadcast
/// over the cluster bus to every node. The fixture has no replicas, so a sharded message crosses the bus not at all.
/// </summary>
public sealed class ShardedWakeUpTests : IAsyncLifetime
{
    private RedisClusterServers _cluster = null!;

    public async Task InitializeAsync() => _cluster = await RedisClusterServers.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Hand_offs_of_every_primitive_are_not_broadcast_over_the_cluster_bus()
    {
        var uri = $"redis://{_cluster.Endpoints}?lease=5s";
        await using var a = LockProvider.Create(uri);
        // b's fallback check comes after 10 s and it waits 8 s at most: only the published hand-offs can serve it.
        await using var b = LockProvider.Create(uri + "&fallback=10s");
        var inspector = (RedisLockStore)b.Store;
        var before = await BusPublishMessagesAsync();
        const int HandOffs = 12;
        var name = "bus-" + Guid.NewGuid().ToString("N");
        for (var i = 0; i < HandOffs; i++)
        {
            var first = await a.CreateLock(name).AcquireAsync();
            var waiting = b.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(8)).AsTask();
            await Eventually.TrueAsync(async () => (await inspector.InspectAsync(name)).Waiters!.Count > 0, $"b in the line of {name}");
            await first.DisposeAsync();
            await using var second = await waiting;
            Assert.True(second.FencingToken > first.FencingToken);
        }
        for (var i = 0; i < 3; i++)
        {
            var permit = await a.CreateSemaphore(name, 1).AcquireAsync();
            var waitingPermit = b.CreateSemaphore(name, 1).AcquireAsync(TimeSpan.FromSeconds(8)).AsTask();
            await Task.Delay(50); // let the wait begin; a waiter that arrives after the release is granted at once anyway
            await permit.DisposeAsync();
            await (await waitingPermit).DisposeAsync();

            var write = await a.CreateReaderWriterLock(name).AcquireWriteAsync();
            var reading = b.CreateReaderWriterLock(name).AcquireReadAsync(TimeSpan.FromSeconds(8)).AsTask();
            await Task.Delay(50);
            await write.DisposeAsync();
            await (await reading).DisposeAsync();

            var leads = await a.CreateElection(name).CampaignAsync("a");
            var campaigning = b.CreateElection(name).CampaignAsync("b", TimeSpan.FromSeconds(8)).AsTask();
            await Task.Delay(50);
            await leads.ResignAsync();
            await (await campaigning).ResignAsync();
        }
        var after = await BusPublishMessagesAsync();
        // Classic PUBLISH: each hand-off and join notice is sent to the 2 other nodes and received by each (4 messages).
        Assert.True(after == before, $"Pub/sub messages on the cluster bus (sent + received, all nodes) went from {before} to {after} over {HandOffs} lock hand-offs and 9 other hand-offs.");
    }

    [Fact]
    public async Task Waiters_listen_on_sharded_channels_at_the_node_owning_the_names_slot()
    {
        var uri = $"redis://{_cluster.Endpoints}?lease=5s";
        await using var a = LockProvider.Create(uri);
        await using var b = LockProvider.Create(uri);
        var inspector = (RedisLockStore)b.Store;
        var name = "listen-" + Guid.NewGuid().ToString("N");
        var owner = await OwnerOfAsync(name);

        await using var held = await a.CreateLock(name).AcquireAsync();
        var waiting = b.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(20)).AsTask();
        await Eventually.TrueAsync(async () => (await inspector.InspectAsync(name)).Waiters!.Count > 0, $"b in the line of {name}");
        // The lock's per-store inbox, in the name's slot, subscribed with SSUBSCRIBE (the waiter's, and the holder's,
        // which hears joins while callers queue).
        await InboxSubscribedAtAsync(owner, name, "the waiter's inbox among the owner's shard channels");
        await AssertNoClassicChannelAsync(name);

        var permit = await a.CreateSemaphore(name, 1).AcquireAsync();
        var waitingPermit = b.CreateSemaphore(name, 1).AcquireAsync(TimeSpan.FromSeconds(20)).AsTask();
        await Eventually.TrueAsync(async () => (await SendAsync(owner, "PUBSUB SHARDCHANNELS")).Contains("{" + name + "}:wake", StringComparison.Ordinal),
            "the name's wake channel among the owner's shard channels");
        await AssertNoClassicChannelAsync(name);

        await held.DisposeAsync();
        await (await waiting).DisposeAsync();
        await permit.DisposeAsync();
        await (await waitingPermit).DisposeAsync();
    }

    [Fact]
    public async Task A_waiter_is_still_woken_by_message_after_its_names_slot_moved_to_another_node()
    {
        var uri = $"redis://{_cluster.Endpoints}?lease=5s";
        await using var a = LockProvider.Create(uri);
        // b's fallback check comes after 10 s: a grant within 8 s is the published hand-off's.
        await using var b = LockProvider.Create(uri + "&fallback=10s");
        var inspector = (RedisLockStore)b.Store;
        var name = "move-" + Guid.NewGuid().ToString("N");
        var source = await OwnerOfAsync(name);
        var target = _cluster.Nodes.First(n => n.Port != source).Port;

        var held = await a.CreateLock(name).AcquireAsync();
        var waiting = b.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(30)).AsTask();
        await InboxSubscribedAtAsync(source, name, "b's inbox subscribed at the slot's first owner");

        await MoveSlotAsync(name, source, target);
        // The client follows the slot: the shard channel is subscribed again at its new owner.
        await InboxSubscribedAtAsync(target, name, "b's inbox subscribed again at the slot's new owner");
        Assert.Single((await inspector.InspectAsync(name)).Waiters!);
        await held.DisposeAsync();
        var granted = await waiting.WaitAsync(TimeSpan.FromSeconds(8));
        await granted.DisposeAsync();
    }

    [Fact]
    public async Task A_script_may_spublish_only_to_a_channel_in_its_keys_slot()
    {
        // Why every channel carries the name's hash tag: the server refuses a script's SPUBLISH elsewhere.
        var name = "slot-" + Guid.NewGuid().ToString("N");
        var owner = await OwnerOfAsync(name);
        var other = "other-" + Guid.NewGuid().ToString("N");
        while (await OwnerOfAsync(other) == owner) other = "other-" + Guid.NewGuid().ToString("N");
        const string Script = "\"return redis.call('SPUBLISH', ARGV[1], 'x')\"";
        Assert.Equal(":0", (await SendAsync(owner, $"EVAL {Script} 1 {{{name}}}:k {{{name}}}:wake")).Trim());
        var refused = await SendAsync(owner, $"EVAL {Script} 1 {{{name}}}:k {{{other}}}:wake");
        Assert.StartsWith("-ERR Script attempted to access a non local key", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_waiter_whose_shard_subscription_is_dropped_is_still_granted_by_the_fallback_check()
    {
        var uri = $"redis://{_cluster.Endpoints}?lease=5s";
        await using var a = LockProvider.Create(uri);
        await using var b = LockProvider.Create(uri + "&fallback=100ms");
        var inspector = (RedisLockStore)b.Store;
        var name = "dropped-" + Guid.NewGuid().ToString("N");
        var owner = await OwnerOfAsync(name);
        var held = await a.CreateLock(name).AcquireAsync();
        var waiting = b.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(30)).AsTask();
        await Eventually.TrueAsync(async () => (await inspector.InspectAsync(name)).Waiters!.Count > 0, $"b in the line of {name}");
        await InboxSubscribedAtAsync(owner, name, "the waiter's inbox among the owner's shard channels");
        // Every subscriber link of the owner is cut: the hand-off message of the release below may reach nobody.
        var killed = await SendAsync(owner, "CLIENT KILL TYPE pubsub");
        Assert.True(killed.StartsWith(':') && killed.Trim() != ":0", $"CLIENT KILL TYPE pubsub on the owner answered {killed.Trim()}: no subscriber was cut.");
        await held.DisposeAsync();
        await using var got = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(got.FencingToken > held.FencingToken);
    }

    // Waits until the node at port lists a store's inbox for name among its shard channels.
    private Task InboxSubscribedAtAsync(int port, string name, string what)
        => Eventually.TrueAsync(async () => (await SendAsync(port, "PUBSUB SHARDCHANNELS")).Contains("{" + name + "}:inbox:", StringComparison.Ordinal), what);

    private async Task AssertNoClassicChannelAsync(string name)
    {
        foreach (var n in _cluster.Nodes)
        {
            var channels = await SendAsync(n.Port, "PUBSUB CHANNELS");
            Assert.DoesNotContain(name, channels, StringComparison.Ordinal);
            Assert.DoesNotContain("inbox:", channels, StringComparison.Ordinal);
        }
    }

    // Moves the slot of {name} with its keys from one master to another, as a resharding does.
    private async Task MoveSlotAsync(string name, int from, int to)
    {
        var slot = (await SendAsync(from, $"CLUSTER KEYSLOT {{{name}}}")).Trim().TrimStart(':');
        var fromId = Bulk(await SendAsync(from, "CLUSTER MYID")).Single();
        var toId = Bulk(await SendAsync(to, "CLUSTER MYID")).Single();
        Assert.StartsWith("+OK", await SendAsync(to, $"CLUSTER SETSLOT {slot} IMPORTING {fromId}"), StringComparison.Ordinal);
        Assert.StartsWith("+OK", await SendAsync(from, $"CLUSTER SETSLOT {slot} MIGRATING {toId}"), StringComparison.Ordinal);
        var keys = Bulk(await SendAsync(from, $"CLUSTER GETKEYSINSLOT {slot} 100"));
        Assert.NotEmpty(keys);
        Assert.StartsWith("+OK", await SendAsync(from, $"MIGRATE 127.0.0.1 {to} \"\" 0 5000 KEYS {string.Join(' ', keys)}"), StringComparison.Ordinal);
        foreach (var n in new[] { to, from }.Concat(_cluster.Nodes.Select(n => n.Port).Where(p => p != to && p != from)))
            Assert.StartsWith("+OK", await SendAsync(n, $"CLUSTER SETSLOT {slot} NODE {toId}"), StringComparison.Ordinal);
    }

    // The strings of a RESP reply (bulk lines), without the framing.
    private static string[] Bulk(string reply)
        => [.. reply.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Where(l => l[0] is not ('*' or '$'))];

    // The node serving the slot of {name}: the others answer a key command for it with MOVED.
    private async Task<int> OwnerOfAsync(string name)
    {
        foreach (var n in _cluster.Nodes)
        {
            if (!(await SendAsync(n.Port, $"EXISTS {{{name}}}")).StartsWith("-MOVED", StringComparison.Ordinal)) return n.Port;
        }
        throw new InvalidOperationException($"No node serves the slot of {name}.");
    }

    // Pub/sub messages the nodes exchanged over the cluster bus: classic (publish) and sharded (publishshard), sent
    // and received, summed over every node (CLUSTER INFO lists a counter once it is non-zero).
    private async Task<long> BusPublishMessagesAsync()
    {
        long total = 0;
        foreach (var n in _cluster.Nodes)
        {
            foreach (var line in (await SendAsync(n.Port, "CLUSTER INFO")).Split('\n'))
            {
                var parts = line.Trim().Split(':');
                if (parts.Length == 2 && parts[0] is "cluster_stats_messages_publish_sent" or "cluster_stats_messages_publish_received"
                    or "cluster_stats_messages_publishshard_sent" or "cluster_stats_messages_publishshard_received")
                    total += long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
        }
        return total;
    }

    private static async Task<string> SendAsync(int port, string command)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await RedisProbe.SendAsync(port, command, cts.Token);
    }
}
