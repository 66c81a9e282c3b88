using System.Diagnostics;

namespace Padlock.LocalServers;

/// <summary>
/// A local Redis Cluster of three masters and no replicas: three <c>redis-server --cluster-enabled yes</c> processes,
/// joined with <c>redis-cli --cluster create ... --cluster-yes</c>, ready once every node reports cluster_state:ok.
/// </summary>
public sealed class RedisClusterServers : IAsyncDisposable
{
    private RedisClusterServers(IReadOnlyList<RedisServer> nodes) => Nodes = nodes;

    /// <summary>The masters.</summary>
    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>"127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3", for a redis:// URI.</summary>
    public string Endpoints => string.Join(",", Nodes.Select(n => n.Endpoint));

    /// <summary>Starts the three nodes and forms the cluster.</summary>
    public static async Task<RedisClusterServers> StartAsync(TimeSpan? timeout = null)
    {
        var cli = ServerBinaries.Require("redis-cli");
        var nodes = new List<RedisServer>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                // The cluster bus listens on port + 10000; FreePort keeps ports low enough for that.
                nodes.Add(await RedisServer.StartAsync(extraArgs: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"]));
            }
            var psi = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("--cluster");
            psi.ArgumentList.Add("create");
            foreach (var n in nodes) psi.ArgumentList.Add(n.Endpoint);
            psi.ArgumentList.Add("--cluster-replicas");
            psi.ArgumentList.Add("0");
            psi.ArgumentList.Add("--cluster-yes");
            using var create = Process.Start(psi)!;
            var output = create.StandardOutput.ReadToEndAsync();
            var error = create.StandardError.ReadToEndAsync();
            await create.WaitForExitAsync();
            if (create.ExitCode != 0)
                throw new InvalidOperationException($"redis-cli --cluster create failed ({create.ExitCode}): {await output}{await error}");

            using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
            foreach (var n in nodes)
            {
                while (!(await RedisProbe.SendAsync(n.Port, "CLUSTER INFO", cts.Token)).Contains("cluster_state:ok", StringComparison.Ordinal))
                    await Task.Delay(100, cts.Token);
            }
            return new RedisClusterServers(nodes);
        }
        catch
        {
            foreach (var n in nodes) await n.DisposeAsync();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var n in Nodes) await n.DisposeAsync();
    }
}
