using Padlock.Cli.Servers;

namespace Padlock.Cli.Tests.Infrastructure;

/// <summary>
/// The stores the CLI tests run against, in one place; <see cref="StoreFixture"/> starts the servers on demand.
/// </summary>
public static class TestStores
{
    /// <summary>Stores whose locks exclude across OS processes: every <c>run</c>, <c>status</c> and demo test runs on each.</summary>
    public static TheoryData<string> CrossProcess => ["file", "redis", "zk", "etcd"];

    /// <summary>Stores a test can make lose a held lock (file: delete the lock file; redis: delete the key); the lost-lock tests run on each.</summary>
    public static TheoryData<string> Losable => ["file", "redis"];

    /// <summary>URIs whose store cannot be reached: <c>run</c> must exit 69 naming the endpoint.</summary>
    public static TheoryData<string> Unreachable =>
    [
        "file:///dev/null/padlock-locks",
        // Port 1 on loopback refuses at once; the short connect timeouts keep the tests quick either way.
        "redis://127.0.0.1:1?connecttimeout=2s",
        "zk://127.0.0.1:1?connecttimeout=2s",
        "etcd://127.0.0.1:1?connecttimeout=2s",
    ];
}

/// <summary>Makes store URIs for tests: a fresh lock directory for file://, a real server (started once) for the others.</summary>
public sealed class StoreFixture : IAsyncLifetime
{
    private readonly Scratch _scratch = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, string> _servers = [];
    private ServerLauncher? _launcher;
    private readonly List<ServerGroup> _started = [];

    public async Task<string> UriAsync(string kind)
    {
        switch (kind)
        {
            case "file":
                // A short loss check so the lost-lock tests see a deleted lock file quickly.
                return $"file://{Path.Combine(_scratch.Path, "locks-" + Guid.NewGuid().ToString("N")[..6])}?losscheck=50ms";
            case "mem":
                return "mem://";
        }
        await _gate.WaitAsync();
        try
        {
            if (_servers.TryGetValue(kind, out var uri)) return uri;
            _launcher ??= new ServerLauncher(new ServerState(Path.Combine(_scratch.Path, "servers")));
            var serverKind = ServerKind.All.Single(k => k.Name == (kind == "zk" ? "zookeeper" : kind));
            var group = await _launcher.StartAsync(serverKind, 1, CancellationToken.None);
            _started.Add(group);
            return _servers[kind] = group.Uris[0];
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Makes the current holder of <paramref name="lockName"/> lose it, the way an operator or a failure would.</summary>
    public static void MakeLost(string kind, string uri, string lockName)
    {
        if (kind == "redis")
        {
            // What an operator's DEL (or a Redis that lost its data) does: the lock key is gone.
            var port = new Uri(uri.Replace("redis://", "tcp://", StringComparison.Ordinal)).Port;
            var key = $"padlock:{{{lockName}}}:lock";
            var psi = new System.Diagnostics.ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var a in new[] { "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "DEL", key }) psi.ArgumentList.Add(a);
            using var cli = System.Diagnostics.Process.Start(psi)!;
            var deleted = cli.StandardOutput.ReadToEnd();
            cli.WaitForExit();
            if (deleted.Trim() != "1") throw new InvalidOperationException($"redis-cli DEL {key} deleted '{deleted.Trim()}' keys, expected 1");
            return;
        }
        if (kind != "file") throw new NotSupportedException($"add a way to make {kind} lose a lock");
        var dir = uri["file://".Length..].Split('?')[0];
        var file = Directory.GetFiles(dir, "*.lock").Single(f => Path.GetFileName(f).StartsWith(lockName, StringComparison.Ordinal));
        File.Delete(file);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_launcher is not null) await _launcher.StopAsync([.. _started.SelectMany(g => g.Servers)]);
        _scratch.Dispose();
        _gate.Dispose();
    }
}

/// <summary>Lock names unique per test, so a server shared by the tests never carries a lock over from another test.</summary>
public static class LockName
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}
