using System.Text.Json;
using Padlock.Cli.Tests.Infrastructure;
using Padlock.Sharding.Directory;
using Padlock.Stores;

namespace Padlock.Cli.Tests.Commands;

/// <summary>
/// <c>padlock shards show|plan|apply|status</c> (issue 17) against a real etcd server: the directory and the shards are
/// distinct prefixes on it (distinct stores to the map), unique per test so tests never see each other's maps.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class ShardsTests(StoreFixture stores)
{
    // Generous: a change with no lagging client takes about the expiry margin; the machine is shared.
    private static readonly TimeSpan Seen = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Apply_writes_the_first_map_then_adds_a_shard_and_show_reports_the_new_epoch()
    {
        var s = await ShardSetup.CreateAsync(stores);

        var empty = await CliProcess.RunAsync("shards", "show", "--directory", s.Directory, "--json");
        var first = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, s.Shard("a"), s.Shard("b"));
        var grow = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, s.Shard("a"), s.Shard("b"), s.Shard("c"), "--expiry-margin", "200ms");
        var again = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, s.Shard("a"), s.Shard("b"), s.Shard("c"));
        var shown = await CliProcess.RunAsync("shards", "show", "--directory", s.Directory, "--json", "order-1", "order-2");
        var text = await CliProcess.RunAsync("shards", "show", "--directory", s.Directory, "order-1");

        Assert.True(empty.ExitCode == 0, empty.ToString());
        Assert.False(JsonDocument.Parse(empty.Stdout).RootElement.GetProperty("exists").GetBoolean());
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("done: epoch 1 (stable)", first.Stdout, StringComparison.Ordinal);
        Assert.True(grow.ExitCode == 0, grow.ToString());
        // Both steps, in order: moving at 2, stable at 3.
        var moving = grow.Stdout.IndexOf("epoch 2: wrote the moving map", StringComparison.Ordinal);
        var stable = grow.Stdout.IndexOf("epoch 3: wrote the stable map", StringComparison.Ordinal);
        Assert.True(moving >= 0 && stable > moving, grow.ToString());
        Assert.Contains("done: epoch 3 (stable)", grow.Stdout, StringComparison.Ordinal);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("nothing to do: epoch 3", again.Stdout, StringComparison.Ordinal);

        Assert.True(shown.ExitCode == 0, shown.ToString());
        var map = JsonDocument.Parse(shown.Stdout).RootElement;
        Assert.Equal(3, map.GetProperty("epoch").GetInt64());
        Assert.Equal("stable", map.GetProperty("state").GetString());
        var current = map.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("role").GetString() == "current");
        Assert.Equal(["a", "b", "c"], current.GetProperty("shards").EnumerateArray().Select(x => x.GetProperty("id").GetString()!));
        var names = map.GetProperty("names").EnumerateArray().ToList();
        Assert.Equal(["order-1", "order-2"], names.Select(n => n.GetProperty("name").GetString()!));
        Assert.All(names, n => Assert.Contains(n.GetProperty("shard").GetString(), new[] { "a", "b", "c" }));
        Assert.All(names, n => Assert.False(n.TryGetProperty("movingTo", out _)));
        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Contains("epoch 3 (stable)", text.Stdout, StringComparison.Ordinal);
        Assert.Contains("order-1", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_adding_a_third_shard_moves_about_a_third_of_the_sample_names()
    {
        var s = await ShardSetup.CreateAsync(stores);

        var none = await CliProcess.RunAsync("shards", "plan", "--directory", s.Directory, s.Shard("a"), s.Shard("b"), "--json");
        var first = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, s.Shard("a"), s.Shard("b"));
        var plan = await CliProcess.RunAsync("shards", "plan", "--directory", s.Directory, s.Shard("a"), s.Shard("b"), s.Shard("c"), "--json");
        var text = await CliProcess.RunAsync("shards", "plan", "--directory", s.Directory, s.Shard("a"), s.Shard("b"), s.Shard("c"), "--names", "3000");
        var named = await CliProcess.RunAsync(["shards", "plan", "--directory", s.Directory, s.Shard("a"), s.Shard("b"), s.Shard("c"), "--json",
            .. Enumerable.Range(0, 30).Select(i => $"job-{i}")]);
        var after = await CliProcess.RunAsync("shards", "show", "--directory", s.Directory, "--json");

        // No map yet: everything is new, nothing moves.
        Assert.True(none.ExitCode == 0, none.ToString());
        var n = JsonDocument.Parse(none.Stdout).RootElement;
        Assert.Equal(10_000, n.GetProperty("names").GetInt32());
        Assert.Equal(0, n.GetProperty("moving").GetInt32());
        Assert.All(n.GetProperty("shards").EnumerateArray(), x => Assert.True(x.GetProperty("new").GetBoolean()));
        Assert.Equal(10_000, n.GetProperty("shards").EnumerateArray().Sum(x => x.GetProperty("names").GetInt32()));
        Assert.True(first.ExitCode == 0, first.ToString());

        Assert.True(plan.ExitCode == 0, plan.ToString());
        var p = JsonDocument.Parse(plan.Stdout).RootElement;
        Assert.Equal(10_000, p.GetProperty("names").GetInt32());
        // Rendezvous hashing moves 1/3 in expectation; the band is far wider than the hash's spread (sd ~ 47 names).
        var moved = p.GetProperty("moving").GetInt32();
        Assert.InRange(moved, 2_800, 3_900);
        Assert.Equal(1.0 / 3, p.GetProperty("expectedFraction").GetDouble(), 6);
        var shards = p.GetProperty("shards").EnumerateArray().ToDictionary(x => x.GetProperty("id").GetString()!);
        Assert.True(shards["c"].GetProperty("new").GetBoolean());
        Assert.False(shards["a"].GetProperty("new").GetBoolean());
        // Only the new shard receives names; everything that moves goes there.
        Assert.Equal(moved, shards["c"].GetProperty("movingIn").GetInt32());
        Assert.Equal(moved, shards["c"].GetProperty("names").GetInt32());
        Assert.Equal(0, shards["a"].GetProperty("movingIn").GetInt32());

        Assert.True(text.ExitCode == 0, text.ToString());
        Assert.Matches(@"moving: \d+ of 3000 names .*expected 33\.3 % \(1/3\)", text.Stdout);
        Assert.True(named.ExitCode == 0, named.ToString());
        var moves = JsonDocument.Parse(named.Stdout).RootElement.GetProperty("moves").EnumerateArray().ToList();
        Assert.All(moves, m => Assert.Equal("c", m.GetProperty("to").GetString()));
        Assert.Equal(30, JsonDocument.Parse(named.Stdout).RootElement.GetProperty("names").GetInt32());
        // A plan writes nothing.
        Assert.Equal(1, JsonDocument.Parse(after.Stdout).RootElement.GetProperty("epoch").GetInt64());
    }

    [Fact]
    public async Task Status_lists_a_following_client_and_apply_waits_for_it_to_follow()
    {
        var s = await ShardSetup.CreateAsync(stores);
        var first = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, s.Shard("a"), s.Shard("b"));
        Assert.True(first.ExitCode == 0, first.ToString());

        // A real client: it registers on first use and follows the map from then on.
        await using var client = LockProvider.CreateSharded(s.Directory, new StoreContext { OwnerDescription = "shards-test-client" });
        await using (await client.CreateLock("status-name").AcquireAsync()) { }

        var before = await CliProcess.RunAsync("shards", "status", "--directory", s.Directory, "--json");
        var grow = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, s.Shard("a"), s.Shard("b"), s.Shard("c"), "--expiry-margin", "200ms");
        var after = await CliProcess.RunAsync("shards", "status", "--directory", s.Directory, "--json");
        // A registration that reports an old epoch, as a client that stopped following would: it lags.
        await using var stale = await s.RegisterAsync("stale-1", 1);
        var lagging = await CliProcess.RunAsync("shards", "status", "--directory", s.Directory, "--json");
        var text = await CliProcess.RunAsync("shards", "status", "--directory", s.Directory);

        Assert.True(before.ExitCode == 0, before.ToString());
        var c0 = JsonDocument.Parse(before.Stdout).RootElement.GetProperty("clients").EnumerateArray().Single();
        Assert.Equal("shards-test-client", c0.GetProperty("owner").GetString());
        Assert.Equal(1, c0.GetProperty("epoch").GetInt64());
        Assert.False(c0.GetProperty("lags").GetBoolean());
        Assert.True(grow.ExitCode == 0, grow.ToString());
        Assert.Contains("done: epoch 3", grow.Stdout, StringComparison.Ordinal);
        Assert.True(after.ExitCode == 0, after.ToString());
        var a = JsonDocument.Parse(after.Stdout).RootElement;
        Assert.Equal(3, a.GetProperty("mapEpoch").GetInt64());
        var c1 = a.GetProperty("clients").EnumerateArray().Single();
        Assert.Equal(3, c1.GetProperty("epoch").GetInt64());
        Assert.False(c1.GetProperty("lags").GetBoolean());
        var l = JsonDocument.Parse(lagging.Stdout).RootElement.GetProperty("clients").EnumerateArray().ToList();
        Assert.Equal(2, l.Count);
        var stuck = l.Single(x => x.GetProperty("id").GetString() == "stale-1");
        Assert.True(stuck.GetProperty("lags").GetBoolean());
        Assert.Equal("stale-test", stuck.GetProperty("owner").GetString());
        Assert.Matches(@"shards-test-client\s.*\s3\s.*current", text.Stdout);
        Assert.Matches(@"stale-test\s.*\s1\s.*lags", text.Stdout);
    }

    [Fact]
    public async Task Ctrl_C_leaves_the_moving_map_which_abort_and_finish_complete()
    {
        var s = await ShardSetup.CreateAsync(stores);
        var first = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, s.Shard("a"), s.Shard("b"));
        Assert.True(first.ExitCode == 0, first.ToString());

        // A client that runs epoch 1 and never moves on: step 1 is written, then the change waits for it.
        var stuck = await s.RegisterAsync("stuck-1", 1);
        var halfway = await InterruptWhileWaitingAsync(s);
        var moving = await CliProcess.RunAsync(["shards", "show", "--directory", s.Directory, "--json", .. Enumerable.Range(0, 30).Select(i => $"name-{i}")]);
        var refused = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, s.Shard("a"));
        await stuck.DisposeAsync();
        var aborted = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, "--abort");
        var back = await CliProcess.RunAsync("shards", "show", "--directory", s.Directory, "--json");

        Assert.Equal(130, halfway.ExitCode);
        Assert.Contains("epoch 2 (moving)", halfway.Stderr, StringComparison.Ordinal);
        Assert.Contains("--finish", halfway.Stderr, StringComparison.Ordinal);
        Assert.Contains("--abort", halfway.Stderr, StringComparison.Ordinal);
        var m = JsonDocument.Parse(moving.Stdout).RootElement;
        Assert.Equal(2, m.GetProperty("epoch").GetInt64());
        Assert.Equal("moving", m.GetProperty("state").GetString());
        Assert.Equal(new[] { "current", "target" }, m.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("role").GetString()!));
        // During the move a name that moves shows both shards: the old one it lives on, and c; the others stay put.
        var placed = m.GetProperty("names").EnumerateArray().ToList();
        var movers = placed.Where(n => n.TryGetProperty("movingTo", out _)).ToList();
        Assert.NotEmpty(movers);
        Assert.All(movers, n => Assert.Equal("c", n.GetProperty("movingTo").GetString()));
        Assert.All(movers, n => Assert.NotEqual("c", n.GetProperty("shard").GetString()));
        Assert.All(placed, n => Assert.NotEqual("c", n.GetProperty("shard").GetString()));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("halfway", refused.Stderr, StringComparison.Ordinal);
        Assert.True(aborted.ExitCode == 0, aborted.ToString());
        var b = JsonDocument.Parse(back.Stdout).RootElement;
        Assert.Equal(3, b.GetProperty("epoch").GetInt64());
        Assert.Equal("stable", b.GetProperty("state").GetString());
        Assert.Equal(["a", "b"], b.GetProperty("tables").EnumerateArray().Last().GetProperty("shards").EnumerateArray().Select(x => x.GetProperty("id").GetString()!));

        // Again, and this time finish it.
        await using (await s.RegisterAsync("stuck-2", 3))
        {
            var second = await InterruptWhileWaitingAsync(s);
            Assert.Equal(130, second.ExitCode);
            Assert.Contains("epoch 4 (moving)", second.Stderr, StringComparison.Ordinal);
        }
        var finished = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, "--finish", "--expiry-margin", "200ms");
        var done = await CliProcess.RunAsync("shards", "show", "--directory", s.Directory, "--json");
        Assert.True(finished.ExitCode == 0, finished.ToString());
        Assert.Contains("done: epoch 5 (stable)", finished.Stdout, StringComparison.Ordinal);
        var d = JsonDocument.Parse(done.Stdout).RootElement;
        Assert.Equal(5, d.GetProperty("epoch").GetInt64());
        Assert.Equal(["a", "b", "c"], d.GetProperty("tables").EnumerateArray().Last().GetProperty("shards").EnumerateArray().Select(x => x.GetProperty("id").GetString()!));
    }

    [Fact]
    public async Task A_zookeeper_directory_keeps_the_map_and_lists_its_clients()
    {
        // Directory and shards as distinct roots on the fixture's ZooKeeper server.
        var s = await ShardSetup.CreateAsync(stores, "zk");
        var first = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, s.Shard("a"), s.Shard("b"));
        await using var client = LockProvider.CreateSharded(s.Directory, new StoreContext { OwnerDescription = "zk-shards-client" });
        await using (await client.CreateLock("zk-name").AcquireAsync()) { }
        var grow = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, s.Shard("a"), s.Shard("b"), s.Shard("c"), "--expiry-margin", "200ms");
        var shown = await CliProcess.RunAsync("shards", "show", "--directory", s.Directory, "--json", "zk-name");
        var status = await CliProcess.RunAsync("shards", "status", "--directory", s.Directory, "--json");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(grow.ExitCode == 0, grow.ToString());
        Assert.Contains("done: epoch 3 (stable)", grow.Stdout, StringComparison.Ordinal);
        var map = JsonDocument.Parse(shown.Stdout).RootElement;
        Assert.Equal(3, map.GetProperty("epoch").GetInt64());
        Assert.StartsWith("zk://", map.GetProperty("directory").GetString(), StringComparison.Ordinal);
        var c = JsonDocument.Parse(status.Stdout).RootElement.GetProperty("clients").EnumerateArray().Single();
        Assert.Equal("zk-shards-client", c.GetProperty("owner").GetString());
        Assert.Equal(3, c.GetProperty("epoch").GetInt64());
    }

    /// <summary>Starts adding shard c, waits until it reports the stuck client, then sends SIGINT.</summary>
    private static async Task<CliResult> InterruptWhileWaitingAsync(ShardSetup s)
    {
        await using var apply = CliProcess.Start(["shards", "apply", "--directory", s.Directory, s.Shard("a"), s.Shard("b"), s.Shard("c")]);
        var deadline = DateTime.UtcNow + Seen;
        while (!apply.Stdout.Contains("stuck-test", StringComparison.Ordinal))
        {
            if (apply.HasExited || DateTime.UtcNow > deadline)
                Assert.Fail($"apply never reported the stuck client.\nstdout: {apply.Stdout}\nstderr: {apply.Stderr}");
            await Task.Delay(50);
        }
        apply.Signal(2);
        var code = await apply.WaitAsync(Seen);
        return new CliResult(code, apply.Stdout, apply.Stderr);
    }

    [Fact]
    public async Task Bad_input_is_a_usage_error_naming_what_is_wrong()
    {
        var s = await ShardSetup.CreateAsync(stores);
        async Task Refused(int code, string message, params string[] args)
        {
            var r = await CliProcess.RunAsync(["shards", .. args]);
            Assert.True(r.ExitCode == code, $"{string.Join(' ', args)}: {r}");
            Assert.Contains(message, r.Stderr, StringComparison.Ordinal);
            Assert.True(r.Stderr.TrimEnd().Split('\n').Length == 1, $"one line expected: {r}");
        }

        await Refused(2, "no shards given", "apply", "--directory", s.Directory);
        await Refused(2, "no shards given", "plan", "--directory", s.Directory);
        await Refused(2, "invalid shard 'a': expected ID=STORE-URI", "apply", "--directory", s.Directory, "a");
        await Refused(2, "invalid shard 'a=': expected ID=STORE-URI", "apply", "--directory", s.Directory, "a=");
        await Refused(2, "shard id 'a' is given twice", "apply", "--directory", s.Directory, s.Shard("a"), "a=" + s.Prefixed("other"));
        await Refused(2, "are the same store", "apply", "--directory", s.Directory, s.Shard("a"), "b=" + s.Prefixed("a"));
        await Refused(2, "Shard id 'bad/id' is not allowed", "apply", "--directory", s.Directory, "bad/id=" + s.Prefixed("x"));
        await Refused(2, "file:// store, local to one machine", "apply", "--directory", s.Directory, s.Shard("a"), "f=file:///tmp/padlock-shards-test");
        await Refused(2, "A mem:// store cannot keep a shard map: the directory must be a consensus store (zk:// or etcd://)", "show", "--directory", "mem://");
        await Refused(2, "A file:// store cannot keep a shard map", "apply", "--directory", "file:///tmp/padlock-shards-test", s.Shard("a"));
        await Refused(2, "unknown store scheme 'nope://'", "status", "--directory", "nope://x");
        await Refused(2, "Option '--directory' is required", "show");
        await Refused(2, "give --finish or --abort, not both", "apply", "--directory", s.Directory, "--finish", "--abort");
        await Refused(2, "--finish takes no shards", "apply", "--directory", s.Directory, "--finish", s.Shard("a"));
        await Refused(2, "invalid duration 'soon' for --expiry-margin", "apply", "--directory", s.Directory, s.Shard("a"), "--expiry-margin", "soon");
        await Refused(2, "give either --names N or lock names", "plan", "--directory", s.Directory, s.Shard("a"), "--names", "5", "job-1");
        await Refused(69, "store unreachable: etcd://127.0.0.1:1", "show", "--directory", "etcd://127.0.0.1:1/d?connecttimeout=2s");
        await Refused(1, "has no map", "apply", "--directory", s.Directory, "--abort");

        // An unreachable new shard: refused before step 1, so the map stays at epoch 1.
        var first = await CliProcess.RunAsync("shards", "apply", "--directory", s.Directory, s.Shard("a"));
        Assert.True(first.ExitCode == 0, first.ToString());
        await Refused(1, "nothing to abort", "apply", "--directory", s.Directory, "--abort");
        await Refused(69, "Shard 'down' (etcd://127.0.0.1:1/x?connecttimeout=2s) cannot be reached, so the change was not started",
            "apply", "--directory", s.Directory, s.Shard("a"), "down=etcd://127.0.0.1:1/x?connecttimeout=2s");
        var still = await CliProcess.RunAsync("shards", "show", "--directory", s.Directory, "--json");
        Assert.Equal(1, JsonDocument.Parse(still.Stdout).RootElement.GetProperty("epoch").GetInt64());
        Assert.Equal("stable", JsonDocument.Parse(still.Stdout).RootElement.GetProperty("state").GetString());
    }

    /// <summary>A directory and shards as unique prefixes (roots) on the fixture's etcd (or ZooKeeper) server.</summary>
    private sealed record ShardSetup(string Server, string Tag)
    {
        public static async Task<ShardSetup> CreateAsync(StoreFixture stores, string kind = "etcd")
            => new((await stores.UriAsync(kind)).Split('?')[0].TrimEnd('/'), Guid.NewGuid().ToString("N")[..8]);

        public string Directory => Prefixed("dir");

        public string Prefixed(string what) => $"{Server}/t{Tag}-{what}";

        public string Shard(string id) => $"{id}={Prefixed(id)}";

        /// <summary>A registration as a client following the map would make, reporting <paramref name="epoch"/> until disposed.</summary>
        public async Task<IAsyncDisposable> RegisterAsync(string clientId, long epoch)
        {
            var provider = LockProvider.Create(Directory, new StoreContext());
            var directory = ((IShardDirectoryStore)provider.Store).OpenShardDirectory();
            var owner = clientId.StartsWith("stuck", StringComparison.Ordinal) ? "stuck-test" : "stale-test";
            var registration = await directory.RegisterAsync(clientId, $"{{\"epoch\":{epoch},\"owner\":\"{owner}\"}}", CancellationToken.None);
            return new Registered(registration, directory, provider);
        }
    }

    private sealed class Registered(IAsyncDisposable registration, IAsyncDisposable directory, LockProvider provider) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await registration.DisposeAsync();
            await directory.DisposeAsync();
            await provider.DisposeAsync();
        }
    }
}
