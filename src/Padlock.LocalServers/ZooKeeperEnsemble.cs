namespace Padlock.LocalServers;

/// <summary>
/// A 3-node ZooKeeper ensemble on loopback (each node its own process, ports and data directory), for failover tests:
/// stop the leader or the node a client uses, start it again, and see the ensemble carry on.
/// </summary>
public sealed class ZooKeeperEnsemble : IAsyncDisposable
{
    private ZooKeeperEnsemble(ServerProcess[] nodes, int[] clientPorts)
    {
        Nodes = nodes;
        ClientPorts = clientPorts;
    }

    /// <summary>The node processes; node i serves <see cref="ClientPorts"/>[i].</summary>
    public IReadOnlyList<ServerProcess> Nodes { get; }

    /// <summary>Each node's client port on 127.0.0.1.</summary>
    public IReadOnlyList<int> ClientPorts { get; }

    /// <summary>All nodes: <c>127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3</c>.</summary>
    public string ConnectString => string.Join(",", ClientPorts.Select(p => $"127.0.0.1:{p}"));

    /// <summary>Starts the nodes together and waits until each serves (a quorum has formed).</summary>
    /// <param name="size">How many nodes (default 3).</param>
    /// <param name="tickTime">The tick (default 500 ms here, so elections and expiry are quick).</param>
    public static async Task<ZooKeeperEnsemble> StartAsync(int size = 3, TimeSpan? tickTime = null)
    {
        var tick = tickTime ?? TimeSpan.FromMilliseconds(500);
        var clientPorts = Enumerable.Range(0, size).Select(_ => FreePort.Next()).ToArray();
        var quorumPorts = Enumerable.Range(0, size).Select(_ => (FreePort.Next(), FreePort.Next())).ToArray();
        var servers = string.Join("\n", quorumPorts.Select((q, i) => $"server.{i + 1}=127.0.0.1:{q.Item1}:{q.Item2}"));
        var nodes = new ServerProcess[size];
        for (var i = 0; i < size; i++)
        {
            var dir = ServerProcess.NewDataDirectory($"zk{i + 1}");
            var config = Path.Combine(dir, "zoo.cfg");
            await File.WriteAllTextAsync(config, ZooKeeperConfig.Common(dir, clientPorts[i], tick) + $"""
                initLimit=20
                syncLimit=10
                {servers}
                """ + "\n");
            await File.WriteAllTextAsync(Path.Combine(dir, "data", "myid"), $"{i + 1}\n");
            nodes[i] = ZooKeeperConfig.Process($"zookeeper node {i + 1} 127.0.0.1:{clientPorts[i]}", config, dir, clientPorts[i]);
        }
        var ensemble = new ZooKeeperEnsemble(nodes, clientPorts);
        try
        {
            await Task.WhenAll(nodes.Select(n => n.StartAsync(TimeSpan.FromSeconds(90))));
        }
        catch
        {
            await ensemble.DisposeAsync();
            throw;
        }
        return ensemble;
    }

    /// <summary>The node's mode ("leader", "follower"), or null when it does not serve.</summary>
    public async Task<string?> ModeAsync(int node)
    {
        try
        {
            var text = await ZooKeeperServer.FourLetterWordAsync(ClientPorts[node], "srvr");
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("Mode:", StringComparison.Ordinal));
            return line?["Mode:".Length..].Trim();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }
    }

    /// <summary>The index of the current leader, waiting up to <paramref name="timeout"/> for one to be elected.</summary>
    public async Task<int> LeaderAsync(TimeSpan? timeout = null)
    {
        var end = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            for (var i = 0; i < Nodes.Count; i++)
            {
                if (Nodes[i].IsRunning && await ModeAsync(i) == "leader") return i;
            }
            if (DateTime.UtcNow > end) throw new TimeoutException("The ensemble has no leader.");
            await Task.Delay(100);
        }
    }

    /// <summary>The node serving <paramref name="port"/>.</summary>
    public int NodeOfPort(int port) => Array.IndexOf(ClientPorts.ToArray(), port);

    /// <summary>Stops every node and deletes their data.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var n in Nodes) await n.DisposeAsync();
    }
}
