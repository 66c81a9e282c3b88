using Padlock.LocalServers;

namespace Padlock.Cli.Verify;

/// <summary>
/// A server (or a cluster) verify started for itself (<c>--local-servers</c>), so it may kill, restart and freeze it.
/// Short leases and sessions keep a run's faults to seconds: Redis lease 1 s, ZooKeeper session 2 s (tick 500 ms),
/// etcd TTL 2 s, PostgreSQL lease 6 s (its minimum). <c>zk-3</c> and <c>etcd-3</c> are a 3-node ensemble and a 3-member cluster: their faults hit the
/// current leader, and <c>failover</c> needs one of them. <c>redlock</c> is three independent Redis masters without
/// persistence; its faults hit one master at a time, in turn. <c>redis-sentinel</c> is a master, one replica and a
/// Sentinel (failover after 1 s of silence), all without persistence; its faults hit whichever is master.
/// </summary>
internal sealed class LocalServer : IAsyncDisposable
{
    /// <summary>The kinds <c>--local-servers</c> accepts, in the order they run.</summary>
    public static readonly string[] Kinds = ["redis", "redis-aof", "zk", "etcd", "postgres", "redlock", "redis-sentinel", "zk-3", "etcd-3"];

    /// <summary>The kinds started when <c>--local-servers</c> names none (the clusters only when asked for).</summary>
    public static readonly string[] DefaultKinds = ["redis", "redis-aof", "zk", "etcd"];

    private readonly IAsyncDisposable _owner;
    private readonly IReadOnlyList<ServerProcess> _members;
    private readonly Func<Task<int>>? _leader;
    private readonly string _role;
    private ServerProcess _target;

    private LocalServer(string kind, string uri, IReadOnlyList<ServerProcess> members, Func<Task<int>>? leader, IAsyncDisposable owner, string role = "leader")
    {
        _role = role;
        Kind = kind;
        Uri = uri;
        _members = members;
        _leader = leader;
        _target = members[0];
        _owner = owner;
    }

    public string Kind { get; }
    public string Uri { get; }

    /// <summary>True for a cluster, which can fail over.</summary>
    public bool IsCluster => _leader is not null;

    /// <summary>What the last fault hit: "server", or "leader node N" in a cluster.</summary>
    public string Target { get; private set; } = "server";

    public static async Task<LocalServer> StartAsync(string kind)
    {
        switch (kind)
        {
            case "redis":
            case "redis-aof":
                // redis-aof: the append-only file fsynced on every write, so the fencing counter survives a restart.
                var redis = await RedisServer.StartAsync(appendOnly: kind == "redis-aof");
                return new LocalServer(kind, $"redis://{redis.Endpoint}?lease=1s", [redis.Process], null, redis);
            case "zk":
                var zk = await ZooKeeperServer.StartAsync(TimeSpan.FromMilliseconds(500));
                return new LocalServer(kind, $"zk://{zk.ConnectString}?sessiontimeout=2s", [zk.Process], null, zk);
            case "etcd":
                var etcd = await EtcdServer.StartAsync();
                return new LocalServer(kind, $"etcd://{etcd.Endpoint}?ttl=2s", [etcd.Process], null, etcd);
            case "postgres":
                // Not in the default set: its lease is 6 s at least, so its faults take longer than the others'.
                var pg = await PostgresServer.StartAsync();
                return new LocalServer(kind, $"postgres://127.0.0.1:{pg.Port}/postgres?user=postgres&lease=6s", [pg.Process], null, pg);
            case "redlock":
                var masters = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => RedisServer.StartAsync()));
                var turn = 0;
                return new LocalServer(kind, $"redlock://{string.Join(',', masters.Select(m => m.Endpoint))}?lease=1s",
                    masters.Select(m => m.Process).ToArray(), () => Task.FromResult(turn++ % masters.Length), new Group(masters), "master");
            case "redis-sentinel":
                var primary = await RedisServer.StartAsync();
                var replica = await RedisServer.StartAsync(extraArgs: ["--replicaof", "127.0.0.1", primary.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                var sentinel = await RedisSentinelServer.StartAsync(primary, "padlock", TimeSpan.FromSeconds(1));
                RedisServer[] pair = [primary, replica];
                return new LocalServer(kind, $"redis://{sentinel.Endpoint}?sentinel=padlock&lease=1s", pair.Select(r => r.Process).ToArray(),
                    () => MasterOfAsync(pair), new Group([sentinel, primary, replica]), "master");
            case "zk-3":
                var ensemble = await ZooKeeperEnsemble.StartAsync(3, TimeSpan.FromMilliseconds(500));
                return new LocalServer(kind, $"zk://{ensemble.ConnectString}?sessiontimeout=2s", ensemble.Nodes,
                    () => ensemble.LeaderAsync(TimeSpan.FromSeconds(30)), ensemble);
            case "etcd-3":
                var cluster = await EtcdCluster.StartAsync(3);
                return new LocalServer(kind, $"etcd://{cluster.Endpoints}?ttl=2s", cluster.Members.Select(m => m.Process).ToArray(),
                    cluster.LeaderIndexAsync, cluster);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, $"unknown local server; expected one of {string.Join(", ", Kinds)}");
        }
    }

    /// <summary>The index of the Redis server that reports itself master (ROLE), waiting up to 30 s for a failover to finish.</summary>
    private static async Task<int> MasterOfAsync(RedisServer[] servers)
    {
        var end = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            for (var i = 0; i < servers.Length; i++)
            {
                if (!servers[i].Process.IsRunning) continue;
                try
                {
                    var role = await RedisProbe.SendAsync(servers[i].Port, "ROLE", CancellationToken.None);
                    if (role.Contains("master", StringComparison.Ordinal)) return i;
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    // not answering yet
                }
            }
            if (DateTime.UtcNow > end) throw new TimeoutException("no Redis server reports itself master");
            await Task.Delay(100);
        }
    }

    /// <summary>Picks what the next fault hits: the server, or a cluster's current leader.</summary>
    public async Task AimAsync()
    {
        if (_leader is null) return;
        var index = await _leader();
        _target = _members[index];
        Target = _role == "leader" ? $"leader node {index + 1}" : $"{_role} {index + 1}";
    }

    /// <summary>Aims the next fault at a member that is not the leader (the one after it).</summary>
    public async Task AimAtFollowerAsync()
    {
        var index = (await _leader!() + 1) % _members.Count;
        _target = _members[index];
        Target = $"follower node {index + 1}";
    }

    /// <summary>SIGKILL the target, then start it again on the same port with the same data directory.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        await StartAgainAsync();
    }

    /// <summary>SIGKILL the target.</summary>
    public Task KillAsync() => _target.KillAsync();

    /// <summary>Starts the target again after <see cref="KillAsync"/>.</summary>
    public Task StartAgainAsync() => _target.StartAsync(TimeSpan.FromSeconds(60));

    public void Freeze()
    {
        if (_target.ProcessId is { } pid) Posix.Pause(pid);
    }

    public void Thaw()
    {
        foreach (var member in _members)
        {
            if (member.ProcessId is { } pid) Posix.Resume(pid);
        }
    }

    public ValueTask DisposeAsync()
    {
        Thaw();
        return _owner.DisposeAsync();
    }

    /// <summary>Several servers disposed together.</summary>
    private sealed class Group(IEnumerable<IAsyncDisposable> parts) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var part in parts) await part.DisposeAsync();
        }
    }
}
