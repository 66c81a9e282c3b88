using System.Text.Json;

namespace Padlock.LocalServers;

/// <summary>
/// A three-member etcd cluster on loopback, for failover tests: stop the leader, start it again, find who leads.
/// Members use short heartbeats and election timeouts so a new leader is elected within about a second.
/// </summary>
public sealed class EtcdCluster : IAsyncDisposable
{
    private EtcdCluster(IReadOnlyList<EtcdServer> members) => Members = members;

    /// <summary>The members, in the order of <see cref="Endpoints"/>.</summary>
    public IReadOnlyList<EtcdServer> Members { get; }

    /// <summary>"127.0.0.1:a,127.0.0.1:b,127.0.0.1:c", for an <c>etcd://</c> URI.</summary>
    public string Endpoints => string.Join(',', Members.Select(m => m.Endpoint));

    /// <summary>Starts three members on free ports and waits until all are healthy.</summary>
    public static async Task<EtcdCluster> StartAsync(int size = 3)
    {
        var ports = Enumerable.Range(0, size).Select(i => (Name: $"m{i}", Client: FreePort.Next(), Peer: FreePort.Next())).ToArray();
        var initial = string.Join(',', ports.Select(p => $"{p.Name}=http://127.0.0.1:{p.Peer}"));
        var token = "padlock-" + Guid.NewGuid().ToString("N")[..8];
        var members = ports.Select(p => EtcdServer.Member(p.Name, p.Client, p.Peer, initial, token)).ToArray();
        var cluster = new EtcdCluster(members);
        try
        {
            // Together: a member reports healthy only once a quorum has elected a leader.
            await Task.WhenAll(members.Select(m => m.StartAsync()));
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    /// <summary>The index in <see cref="Members"/> of the current leader, asking the running members.</summary>
    public async Task<int> LeaderIndexAsync()
    {
        var running = Members.Where(m => m.Process.IsRunning).Select(m => m.Endpoint);
        var json = await EtcdServer.RunEtcdctlAsync(string.Join(',', running), ["endpoint", "status", "-w", "json", "--command-timeout=3s"], CancellationToken.None);
        using var doc = JsonDocument.Parse(json);
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            var status = entry.GetProperty("Status");
            var header = status.GetProperty("header");
            if (header.GetProperty("member_id").GetUInt64() == status.GetProperty("leader").GetUInt64())
            {
                var endpoint = entry.GetProperty("Endpoint").GetString()!;
                return Members.ToList().FindIndex(m => endpoint.EndsWith(m.Endpoint, StringComparison.Ordinal));
            }
        }
        throw new InvalidOperationException("No member reports itself leader: " + json);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var m in Members) await m.DisposeAsync();
    }
}
