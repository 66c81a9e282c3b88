using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace Padlock.Bench.RedisProcesses;

/// <summary>
/// What the server spent, read from outside the clients: a snapshot of Redis <c>INFO</c> (bytes sent to clients,
/// CPU, PUBLISH calls, scripts' included) and of the bytes each client process received on its pub/sub connections.
/// Redis 7.0 keeps no per-client byte counter, so the latter comes from the kernel: <c>ss -tinp</c> gives each
/// loopback socket to the server with its owner's pid and bytes_received, and <c>CLIENT LIST</c> says which of
/// those sockets are subscribers (flag P).
/// </summary>
internal sealed partial record ServerCost(double NetOutBytes, double CpuSeconds, double Publishes, int Subscribers, IReadOnlyDictionary<int, double> PubSubBytesByPid)
{
    /// <summary>Takes a snapshot of the server at <paramref name="endpoint"/>.</summary>
    public static async Task<ServerCost> SnapshotAsync(IServer server, string endpoint)
    {
        var info = (await server.InfoAsync("all")).SelectMany(g => g).ToDictionary(kv => kv.Key, kv => kv.Value);
        double Number(string key) => info.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : 0;
        var publish = info.TryGetValue("cmdstat_publish", out var p) ? double.Parse(CallsPattern().Match(p).Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var subscriberPorts = (await server.ClientListAsync()).Where(c => c.FlagsRaw?.Contains('P') == true && c.Address is IPEndPoint)
            .Select(c => ((IPEndPoint)c.Address!).Port).ToHashSet();
        var bytes = new Dictionary<int, double>();
        foreach (var (localPort, pid, received) in await SocketsAsync(int.Parse(endpoint.Split(':')[^1], CultureInfo.InvariantCulture)))
        {
            if (subscriberPorts.Contains(localPort)) bytes[pid] = bytes.GetValueOrDefault(pid) + received;
        }
        return new ServerCost(Number("total_net_output_bytes"), Number("used_cpu_user") + Number("used_cpu_sys"), publish, subscriberPorts.Count, bytes);
    }

    /// <summary>The change from <paramref name="before"/> to this snapshot (pub/sub bytes per pid present now).</summary>
    public ServerCost Since(ServerCost before) => new(NetOutBytes - before.NetOutBytes, CpuSeconds - before.CpuSeconds, Publishes - before.Publishes, Subscribers,
        PubSubBytesByPid.ToDictionary(kv => kv.Key, kv => kv.Value - before.PubSubBytesByPid.GetValueOrDefault(kv.Key)));

    private static async Task<List<(int LocalPort, int Pid, double Received)>> SocketsAsync(int serverPort)
    {
        var psi = new ProcessStartInfo("ss") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-tinpH", "state", "established", $"( dport = :{serverPort} )" }) psi.ArgumentList.Add(a);
        using var ss = Process.Start(psi)!;
        var text = await ss.StandardOutput.ReadToEndAsync();
        await ss.WaitForExitAsync();
        var sockets = new List<(int, int, double)>();
        (int Port, int Pid)? current = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            if (!char.IsWhiteSpace(line[0]))
            {
                var head = HeadPattern().Match(line);
                current = head.Success ? (int.Parse(head.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(head.Groups[2].Value, CultureInfo.InvariantCulture)) : null;
            }
            else if (current is { } c && ReceivedPattern().Match(line) is { Success: true } m)
            {
                sockets.Add((c.Port, c.Pid, double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)));
                current = null;
            }
        }
        return sockets;
    }

    [GeneratedRegex(@"calls=(\d+)")]
    private static partial Regex CallsPattern();

    // "0 0 127.0.0.1:44736 127.0.0.1:6399 users:(("dotnet",pid=11532,fd=3))": the client's port and its process.
    [GeneratedRegex(@"^\S+\s+\S+\s+\S+:(\d+)\s+\S+.*pid=(\d+)")]
    private static partial Regex HeadPattern();

    [GeneratedRegex(@"bytes_received:(\d+)")]
    private static partial Regex ReceivedPattern();
}
