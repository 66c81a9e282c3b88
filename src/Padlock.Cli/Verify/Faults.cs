namespace Padlock.Cli.Verify;

/// <summary>The faults verify injects, and which store setups can take them.</summary>
internal static class Faults
{
    public const string None = "none", Pause = "pause", Kill = "kill", Restart = "restart", ServerPause = "server-pause", Partition = "partition", Failover = "failover",
        MemberPause = "member-pause";

    public static readonly string[] All = [None, Pause, Kill, Restart, ServerPause, Partition, Failover, MemberPause];

    /// <summary>Why <paramref name="fault"/> cannot run against <paramref name="uri"/>, or null when it can.</summary>
    public static string? Unsupported(string fault, string uri, LocalServer? server)
    {
        // A partition is client-side (each client reaches the store through relays verify owns): any network store takes it.
        if (fault == Partition) return ClientNetwork.Unsupported(uri);
        if (fault == MemberPause && server is not { IsCluster: true })
            return "member-pause: needs a cluster verify started itself (--local-servers zk-3 or etcd-3): it freezes a member that is not the leader";
        if (fault == Failover && server is not { IsCluster: true })
            return "failover: needs a cluster verify started itself (--local-servers zk-3, etcd-3, redlock or redis-sentinel): it kills the leader (a redlock master, the Sentinel's master), waits, and starts it again";
        if (fault is not (Restart or ServerPause) || server is not null) return null;
        return uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            ? $"{fault}: file:// has no server to {(fault == Restart ? "restart" : "freeze")}"
            : $"{fault}: needs a server verify started itself (--local-servers); it does not kill or freeze servers it was given";
    }

    /// <summary>The lease or session a URI asks for (the store's default when absent); null for file://, which has none.</summary>
    public static TimeSpan? LeaseOf(string uri)
    {
        var scheme = uri.Split("://")[0].ToLowerInvariant();
        var (key, fallback) = scheme switch
        {
            "redis" or "redlock" => ("lease", TimeSpan.FromSeconds(30)),
            "zk" => ("sessiontimeout", TimeSpan.FromSeconds(10)),
            "etcd" => ("ttl", TimeSpan.FromSeconds(30)),
            "postgres" or "postgresql" => ("lease", TimeSpan.FromSeconds(30)),
            _ => ("", TimeSpan.Zero),
        };
        if (key.Length == 0) return null;
        var query = uri.Contains('?', StringComparison.Ordinal) ? uri[(uri.IndexOf('?', StringComparison.Ordinal) + 1)..] : "";
        foreach (var pair in query.Split('&'))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length == 2 && kv[0].Equals(key, StringComparison.OrdinalIgnoreCase) && Durations.TryParse(kv[1], out var value)) return value;
        }
        return fallback;
    }
}
