using System.Diagnostics;

namespace Padlock.LocalServers;

/// <summary>
/// One etcd 3.4 member on loopback with its own data directory (Debian's <c>etcd</c>; readiness checked with
/// <c>etcdctl endpoint health</c>). Used alone as a single-member cluster, or three at a time by <see cref="EtcdCluster"/>.
/// </summary>
public sealed class EtcdServer : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private EtcdServer(string memberName, int clientPort, int peerPort, string initialCluster, string token, bool fastElections, TestCertificates? tls = null)
    {
        MemberName = memberName;
        ClientPort = clientPort;
        PeerPort = peerPort;
        Tls = tls;
        var dir = ServerProcess.NewDataDirectory("etcd");
        var client = (tls is null ? "http" : "https") + $"://127.0.0.1:{clientPort}";
        string[] args =
        [
            "--name", memberName,
            "--data-dir", Path.Combine(dir, "data"),
            "--listen-client-urls", client,
            "--advertise-client-urls", client,
            "--listen-peer-urls", $"http://127.0.0.1:{peerPort}",
            "--initial-advertise-peer-urls", $"http://127.0.0.1:{peerPort}",
            "--initial-cluster", initialCluster,
            "--initial-cluster-token", token,
            "--initial-cluster-state", "new",
            "--logger", "zap",
            "--log-level", "error",
            // Loopback members can elect a new leader in well under a second; tests of leader loss then stay short.
            .. (fastElections ? new[] { "--heartbeat-interval", "50", "--election-timeout", "500" } : []),
            // TLS on the client port, and only clients with a certificate signed by the test CA get in.
            .. (tls is null ? [] : new[]
            {
                "--cert-file", tls.ServerCertificateFile, "--key-file", tls.ServerKeyFile,
                "--trusted-ca-file", tls.CaFile, "--client-cert-auth",
            }),
        ];
        _process = new ServerProcess($"etcd {memberName} 127.0.0.1:{clientPort}", ServerBinaries.Require("etcd", "/usr/bin/etcd"), args, dir,
            ct => IsHealthyAsync(EtcdctlEndpoint, tls, ct));
    }

    /// <summary>The certificates of the TLS client port, or null when it is plain http.</summary>
    public TestCertificates? Tls { get; }

    private string EtcdctlEndpoint => (Tls is null ? "" : "https://") + Endpoint;

    /// <summary>The member's name in the cluster.</summary>
    public string MemberName { get; }

    /// <summary>The client port (gRPC).</summary>
    public int ClientPort { get; }

    /// <summary>The peer (Raft) port.</summary>
    public int PeerPort { get; }

    /// <summary>"127.0.0.1:port", as used in an <c>etcd://</c> URI.</summary>
    public string Endpoint => $"127.0.0.1:{ClientPort}";

    /// <summary>The underlying process (for stop, kill, pause and output).</summary>
    public ServerProcess Process => _process;

    /// <summary>Starts a single-member cluster on free ports and waits until it is healthy.</summary>
    /// <param name="tls">Serve clients over TLS with these certificates, requiring a client certificate; default plain http.</param>
    public static async Task<EtcdServer> StartAsync(TestCertificates? tls = null)
    {
        int client = FreePort.Next(), peer = FreePort.Next();
        var server = new EtcdServer("single", client, peer, $"single=http://127.0.0.1:{peer}", "padlock-" + Guid.NewGuid().ToString("N")[..8], fastElections: false, tls);
        try
        {
            await server._process.StartAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    internal static EtcdServer Member(string name, int client, int peer, string initialCluster, string token)
        => new(name, client, peer, initialCluster, token, fastElections: true);

    /// <summary>Starts the process (again, with the same data) and waits until the member is healthy (which needs a quorum).</summary>
    public Task StartAsync(TimeSpan? timeout = null) => _process.StartAsync(timeout);

    /// <summary>Stops the member gracefully.</summary>
    public Task StopAsync() => _process.StopAsync();

    /// <summary>Runs <c>etcdctl</c> (API v3) against this member and returns its standard output; throws on a non-zero exit.</summary>
    public Task<string> EtcdctlAsync(params string[] args) => RunEtcdctlAsync(EtcdctlEndpoint, [.. TlsArgs(Tls), .. args], CancellationToken.None);

    /// <summary>Creates the <c>root</c> user with <paramref name="rootPassword"/> and turns authentication on.</summary>
    public async Task EnableAuthenticationAsync(string rootPassword)
    {
        await EtcdctlAsync("user", "add", "root", "--new-user-password=" + rootPassword);
        await EtcdctlAsync("auth", "enable");
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static async Task<bool> IsHealthyAsync(string endpoint, TestCertificates? tls, CancellationToken ct)
    {
        await RunEtcdctlAsync(endpoint, [.. TlsArgs(tls), "endpoint", "health", "--command-timeout=2s"], ct);
        return true;
    }

    private static string[] TlsArgs(TestCertificates? tls)
        => tls is null ? [] : ["--cacert=" + tls.CaFile, "--cert=" + tls.ClientCertificateFile, "--key=" + tls.ClientKeyFile];

    internal static async Task<string> RunEtcdctlAsync(string endpoints, string[] args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(ServerBinaries.Require("etcdctl", "/usr/bin/etcdctl"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["ETCDCTL_API"] = "3";
        psi.ArgumentList.Add("--endpoints=" + endpoints);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        try
        {
            await p.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(); } catch (InvalidOperationException) { }
            throw;
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"etcdctl {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}");
        return await stdout;
    }
}
