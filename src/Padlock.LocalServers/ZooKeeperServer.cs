using System.Net.Sockets;
using System.Text;

namespace Padlock.LocalServers;

/// <summary>
/// A standalone ZooKeeper 3.8 server (the Debian package) on a free loopback port, with its own data directory.
/// The admin HTTP server is off and the four-letter words the tests use are whitelisted.
/// </summary>
public sealed class ZooKeeperServer : IAsyncDisposable
{
    private ZooKeeperServer(ServerProcess process, int port, int? securePort)
    {
        Process = process;
        Port = port;
        SecurePort = securePort;
    }

    /// <summary>The TLS client port on 127.0.0.1 (Netty, client certificate required), when started with certificates.</summary>
    public int? SecurePort { get; }

    /// <summary>The server process (stop, kill, pause it for failure tests).</summary>
    public ServerProcess Process { get; }

    /// <summary>The client port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>.</summary>
    public string ConnectString => $"127.0.0.1:{Port}";

    /// <summary>Starts a server and waits until it serves requests.</summary>
    /// <param name="tickTime">The server's tick (default 2 s): sessions may last 2 to 20 ticks, and expiry is checked once a tick.</param>
    /// <param name="tls">Also serve TLS on <see cref="SecurePort"/> with these certificates, requiring a client certificate.</param>
    public static async Task<ZooKeeperServer> StartAsync(TimeSpan? tickTime = null, TestCertificates? tls = null)
    {
        var port = FreePort.Next();
        var dir = ServerProcess.NewDataDirectory("zk");
        var config = Path.Combine(dir, "zoo.cfg");
        var text = ZooKeeperConfig.Common(dir, port, tickTime ?? TimeSpan.FromSeconds(2));
        int? securePort = null;
        if (tls is not null)
        {
            securePort = FreePort.Next();
            // ZooKeeper's PEM key store is one file with the key and the certificate.
            var keyStore = Path.Combine(dir, "keystore.pem");
            await File.WriteAllTextAsync(keyStore, await File.ReadAllTextAsync(tls.ServerKeyFile) + await File.ReadAllTextAsync(tls.ServerCertificateFile));
            text += $"""
                secureClientPort={securePort}
                serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory
                ssl.keyStore.location={keyStore}
                ssl.keyStore.type=PEM
                ssl.trustStore.location={tls.CaFile}
                ssl.trustStore.type=PEM
                ssl.clientAuth=need
                """ + "\n";
        }
        await File.WriteAllTextAsync(config, text);
        var process = ZooKeeperConfig.Process($"zookeeper 127.0.0.1:{port}", config, dir, port);
        var server = new ZooKeeperServer(process, port, securePort);
        try
        {
            await process.StartAsync();
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Stops the server and deletes its data.</summary>
    public ValueTask DisposeAsync() => Process.DisposeAsync();

    /// <summary>Sends a four-letter command ("srvr", "ruok", "cons") and returns the whole answer.</summary>
    public static async Task<string> FourLetterWordAsync(int port, string command, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync(cancellationToken);
    }
}

/// <summary>The configuration and command line shared by the standalone server and the ensemble.</summary>
internal static class ZooKeeperConfig
{
    public static string Common(string dir, int clientPort, TimeSpan tickTime)
    {
        var data = Path.Combine(dir, "data");
        Directory.CreateDirectory(data);
        return $"""
            tickTime={(int)tickTime.TotalMilliseconds}
            dataDir={data}
            clientPort={clientPort}
            clientPortAddress=127.0.0.1
            maxClientCnxns=0
            admin.enableServer=false
            4lw.commands.whitelist=srvr,ruok,stat,cons,mntr
            """ + "\n";
    }

    public static ServerProcess Process(string name, string config, string dir, int clientPort)
    {
        var java = ServerBinaries.Require("java", "/usr/bin/java");
        var jar = ServerBinaries.Require("/usr/share/java/zookeeper.jar");
        string[] args =
        [
            "-Xmx256m", "-XX:+UseSerialGC",
            "-Dzookeeper.root.logger=WARN,CONSOLE", "-Dzookeeper.console.threshold=WARN",
            // netty-codec is not on zookeeper.jar's manifest class path, but the Netty connection factory (TLS) needs it.
            "-cp", "/etc/zookeeper/conf:" + jar + ":/usr/share/java/netty-codec.jar",
            "org.apache.zookeeper.server.quorum.QuorumPeerMain", config,
        ];
        // Ready once it serves: "srvr" answers with its mode only when the server is part of a working quorum (or standalone).
        // Each probe gets its own short deadline: a server still starting can accept the connection and never answer.
        return new ServerProcess(name, java, args, dir, async ct =>
        {
            using var probe = CancellationTokenSource.CreateLinkedTokenSource(ct);
            probe.CancelAfter(TimeSpan.FromSeconds(2));
            return (await ZooKeeperServer.FourLetterWordAsync(clientPort, "srvr", probe.Token)).Contains("Mode:", StringComparison.Ordinal);
        });
    }
}
