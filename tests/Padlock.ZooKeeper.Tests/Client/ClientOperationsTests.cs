using System.Text;
using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Client;

/// <summary>Every operation of the client against a real ZooKeeper 3.8.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ClientOperationsTests(ZooKeeperFixture zk)
{
    private static string Root() => "/ops-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Create_get_set_exists_delete_round_trip()
    {
        await using var c = await zk.ConnectAsync();
        var path = Root();
        var (created, stat) = await c.Create2Async(path, "one"u8.ToArray(), CreateMode.Persistent);
        Assert.Equal(path, created);
        Assert.True(stat.Czxid > 0);
        Assert.Equal(0, stat.Version);
        Assert.Equal(3, stat.DataLength);

        var (data, got) = await c.GetDataAsync(path);
        Assert.Equal("one", Encoding.UTF8.GetString(data));
        Assert.Equal(stat.Czxid, got.Czxid);

        var after = await c.SetDataAsync(path, "two"u8.ToArray(), version: 0);
        Assert.Equal(1, after.Version);
        var stale = await Assert.ThrowsAsync<ZooKeeperException>(() => c.SetDataAsync(path, "x"u8.ToArray(), version: 0));
        Assert.Equal(ZooKeeperErrorCode.BadVersion, stale.Code);
        Assert.Contains("BadVersion", stale.Message);

        Assert.Equal(1, (await c.ExistsAsync(path))!.Version);
        await c.DeleteAsync(path, version: 1);
        Assert.Null(await c.ExistsAsync(path));
        var missing = await Assert.ThrowsAsync<ZooKeeperException>(() => c.GetDataAsync(path));
        Assert.Equal(ZooKeeperErrorCode.NoNode, missing.Code);
        Assert.Contains("NoNode", missing.Message);
        Assert.Contains(path, missing.Message);
    }

    [Fact]
    public async Task Create_modes_sequential_names_and_errors()
    {
        await using var c = await zk.ConnectAsync();
        var root = Root();
        await c.CreateAsync(root, null, CreateMode.Persistent);
        var a = await c.CreatePlainAsync(root + "/s-", null, CreateMode.PersistentSequential);
        var b = await c.CreateAsync(root + "/s-", null, CreateMode.EphemeralSequential);
        Assert.Matches(@"/s-\d{10}$", a);
        Assert.Matches(@"/s-\d{10}$", b);
        Assert.True(string.CompareOrdinal(a, b) < 0);
        var e = await c.CreateAsync(root + "/e", null, CreateMode.Ephemeral);
        Assert.Equal(c.SessionId, (await c.ExistsAsync(e))!.EphemeralOwner);
        var exists = await Assert.ThrowsAsync<ZooKeeperException>(() => c.CreateAsync(root + "/e", null, CreateMode.Ephemeral));
        Assert.Equal(ZooKeeperErrorCode.NodeExists, exists.Code);
        var underEphemeral = await Assert.ThrowsAsync<ZooKeeperException>(() => c.CreateAsync(e + "/x", null, CreateMode.Persistent));
        Assert.Equal(ZooKeeperErrorCode.NoChildrenForEphemerals, underEphemeral.Code);
        var noParent = await Assert.ThrowsAsync<ZooKeeperException>(() => c.CreateAsync(root + "/no/such", null, CreateMode.Persistent));
        Assert.Equal(ZooKeeperErrorCode.NoNode, noParent.Code);
        var notEmpty = await Assert.ThrowsAsync<ZooKeeperException>(() => c.DeleteAsync(root));
        Assert.Equal(ZooKeeperErrorCode.NotEmpty, notEmpty.Code);

        var (container, cstat) = await c.Create2Async(root + "/box", null, CreateMode.Container);
        Assert.Equal(root + "/box", container);
        Assert.True(cstat.Czxid > 0);

        var (children, pstat) = await c.GetChildren2Async(root);
        Assert.Equal(4, children.Count);
        Assert.Equal(4, pstat.NumChildren);
        Assert.Equal(children.Order(), (await c.GetChildrenAsync(root)).Order());
    }

    [Fact]
    public async Task Ephemeral_nodes_go_when_the_session_closes()
    {
        var path = Root();
        await using var other = await zk.ConnectAsync();
        var c = await zk.ConnectAsync();
        await c.CreateAsync(path, null, CreateMode.Ephemeral);
        Assert.NotNull(await other.ExistsAsync(path));
        await c.DisposeAsync();
        Assert.Null(await other.ExistsAsync(path));
        var closed = await Assert.ThrowsAsync<ZooKeeperException>(() => c.ExistsAsync(path));
        Assert.Equal(ZooKeeperErrorCode.SessionExpired, closed.Code);
    }

    [Fact]
    public async Task Multi_applies_all_or_nothing_with_per_op_results()
    {
        await using var c = await zk.ConnectAsync();
        var root = Root();
        var ok = await c.MultiAsync([
            MultiOp.Create(root, null, CreateMode.Persistent),
            MultiOp.Create(root + "/a", "x"u8.ToArray(), CreateMode.Persistent),
            MultiOp.Create(root + "/q-", null, CreateMode.PersistentSequential),
            MultiOp.SetData(root + "/a", "y"u8.ToArray(), 0),
            MultiOp.Check(root + "/a", 1),
        ]);
        Assert.Equal([OpCode.Create, OpCode.Create, OpCode.Create, OpCode.SetData, OpCode.Check], ok.Select(r => r.Type));
        Assert.All(ok, r => Assert.Equal(ZooKeeperErrorCode.Ok, r.Error));
        Assert.Equal(root + "/a", ok[1].Path);
        Assert.Matches(@"/q-\d{10}$", ok[2].Path!);
        Assert.Equal(1, ok[3].Stat!.Version);

        var failed = await c.MultiAsync([
            MultiOp.Create(root + "/b", null, CreateMode.Persistent),
            MultiOp.Delete(root + "/missing"),
            MultiOp.Delete(root + "/a"),
        ]);
        Assert.Equal([ZooKeeperErrorCode.Ok, ZooKeeperErrorCode.NoNode, ZooKeeperErrorCode.RuntimeInconsistency], failed.Select(r => r.Error));
        Assert.Null(await c.ExistsAsync(root + "/b"));
        Assert.NotNull(await c.ExistsAsync(root + "/a"));

        await c.MultiAsync([MultiOp.Delete(root + "/a"), MultiOp.Delete(root + ok[2].Path![root.Length..]), MultiOp.Delete(root)]);
        Assert.Null(await c.ExistsAsync(root));
    }

    [Fact]
    public async Task Sync_and_many_requests_in_flight_complete_in_order()
    {
        await using var c = await zk.ConnectAsync();
        var root = Root();
        await c.CreateAsync(root, null, CreateMode.Persistent);
        await c.SyncAsync(root);
        var creates = Enumerable.Range(0, 200).Select(i => c.CreateAsync($"{root}/n{i}", BitConverter.GetBytes(i), CreateMode.Persistent)).ToArray();
        await Task.WhenAll(creates);
        var reads = Enumerable.Range(0, 200).Select(i => c.GetDataAsync($"{root}/n{i}")).ToArray();
        var results = await Task.WhenAll(reads);
        for (var i = 0; i < 200; i++) Assert.Equal(i, BitConverter.ToInt32(results[i].Data));
        // Pipelined creates were applied in the order sent: their czxids increase with i.
        var czxids = results.Select(r => r.Stat.Czxid).ToArray();
        Assert.Equal(czxids.Order(), czxids);
    }

    [Fact]
    public async Task Chroot_prefixes_paths_both_ways()
    {
        var root = Root();
        await using var plain = await zk.ConnectAsync();
        await plain.CreateAsync(root, null, CreateMode.Persistent);
        await using var c = await zk.ConnectAsync(chroot: root);
        var created = await c.CreateAsync("/x-", null, CreateMode.PersistentSequential);
        Assert.StartsWith("/x-", created);
        Assert.NotNull(await plain.ExistsAsync(root + created));
        Assert.Equal([created[1..]], await c.GetChildrenAsync("/"));
        var fired = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await c.ExistsAsync(created, e => fired.TrySetResult(e));
        await plain.DeleteAsync(root + created);
        var e = await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WatchEventType.NodeDeleted, e.Type);
        Assert.Equal(created, e.Path);
    }

    [Fact]
    public async Task Digest_auth_is_sent_and_enforced()
    {
        var path = Root();
        await using var owner = await zk.ConnectAsync(auth: ["alice:secret"]);
        await owner.CreateAsync(path, "private"u8.ToArray(), CreateMode.Persistent, [Acl.Digest("alice", "secret")]);
        Assert.Equal("private", Encoding.UTF8.GetString((await owner.GetDataAsync(path)).Data));
        await using var stranger = await zk.ConnectAsync();
        var denied = await Assert.ThrowsAsync<ZooKeeperException>(() => stranger.GetDataAsync(path));
        Assert.Equal(ZooKeeperErrorCode.NoAuth, denied.Code);
        await using var wrong = await zk.ConnectAsync(auth: ["alice:guess"]);
        Assert.Equal(ZooKeeperErrorCode.NoAuth, (await Assert.ThrowsAsync<ZooKeeperException>(() => wrong.GetDataAsync(path))).Code);
        await owner.DeleteAsync(path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("/a/")]
    [InlineData("/a//b")]
    [InlineData("/a/./b")]
    [InlineData("/a/..")]
    [InlineData("/a\u0001b")]
    [InlineData("/a\u007fb")]
    [InlineData("/a\ud800")]
    public async Task Invalid_paths_are_ArgumentExceptions_before_sending(string path)
    {
        await using var c = await zk.ConnectAsync();
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => c.ExistsAsync(path));
        Assert.Contains("not a valid ZooKeeper path", ex.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => c.CreateAsync(path, null, CreateMode.Persistent));
        // Nothing was sent: the session is fine and has seen no error.
        Assert.NotNull(await c.ExistsAsync("/"));
    }

    [Fact]
    public async Task Unreachable_server_fails_within_the_connect_timeout_naming_it()
    {
        var port = Padlock.LocalServers.FreePort.Next();
        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAsync<ZooKeeperException>(() => ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = $"127.0.0.1:{port}",
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
        }));
        Assert.Equal(ZooKeeperErrorCode.ConnectionLoss, ex.Code);
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_fails_within_the_connect_timeout()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var ex = await Assert.ThrowsAsync<ZooKeeperException>(() => ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = $"127.0.0.1:{port}",
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
        }));
        Assert.Equal(ZooKeeperErrorCode.ConnectionLoss, ex.Code);
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
    }
}
