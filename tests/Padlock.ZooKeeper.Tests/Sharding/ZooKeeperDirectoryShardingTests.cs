using Padlock.Sharding;
using Padlock.Testing;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Sharding;

/// <summary>
/// A shard map kept in ZooKeeper, end to end: the directory on one root, the shards on other roots of the same server
/// (distinct key spaces, so distinct stores). The cross-process stress of a change runs on etcd (OnlineReshardingTests);
/// this checks the ZooKeeper directory drives the same protocol.
/// </summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ZooKeeperDirectoryShardingTests(ZooKeeperFixture zk)
{
    private readonly string _run = "/shards-" + Guid.NewGuid().ToString("N")[..8];

    private Dictionary<string, string> Shards(params char[] ids)
        => ids.ToDictionary(id => id.ToString(), id => $"zk://{zk.ConnectString}{_run}/{id}");

    [Fact]
    public async Task A_change_moves_names_while_a_client_holds_one_and_the_tokens_keep_rising()
    {
        var directory = $"zk://{zk.ConnectString}{_run}/dir?sessiontimeout=4s";
        await using var admin = ShardMapAdmin.Open(directory);
        await admin.ApplyAsync(Shards('a', 'b'));
        var names = Enumerable.Range(0, 60).Select(i => $"job-{i}").ToArray();
        var moving = ShardMapAdmin.Plan(await admin.ReadMapAsync(), Shards('a', 'b', 'c'), names).Moves.Select(m => m.Name).ToArray();
        Assert.NotEmpty(moving);

        await using var client = LockProvider.CreateSharded(directory);
        await using var other = LockProvider.CreateSharded(directory);
        var before = new Dictionary<string, long>();
        foreach (var name in names)
        {
            await using var h = await client.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
            before[name] = h.FencingToken;
        }
        // A hold taken under epoch 1 keeps its client at 1: the change waits for it, then goes on once it is released.
        var kept = await client.CreateLock(moving[0]).AcquireAsync(TimeSpan.FromSeconds(10));
        var steps = new List<ShardChangeProgress>();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var applying = admin.ApplyAsync(Shards('a', 'b', 'c'), new Progress<ShardChangeProgress>(p => { lock (steps) steps.Add(p); }), limit.Token);
        await Eventually.TrueAsync(() => { lock (steps) return steps.Any(s => s.Epoch == 2 && s.Waiting.Count == 1); }, "the change waiting for the client holding under epoch 1");
        // While it waits (moving), the other client cannot take the held name: it passes through the old shard too.
        Assert.Null(await other.CreateLock(moving[0]).TryAcquireAsync(TimeSpan.FromMilliseconds(300)));
        await kept.DisposeAsync();
        var done = await applying;
        Assert.Equal(3, done.Epoch);

        foreach (var name in names)
        {
            await using var h = await other.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
            Assert.True(h.FencingToken > before[name], $"{name}: {h.FencingToken} after {before[name]}");
            var generation = ShardTokens.GenerationOf(h.FencingToken);
            Assert.Equal(moving.Contains(name) ? 2 : 1, generation);
        }
        Assert.All(await admin.ReadClientsAsync(), c => Assert.Equal(3, c.Epoch));
    }
}
