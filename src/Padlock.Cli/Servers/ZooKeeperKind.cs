using System.Globalization;
using System.Text;

namespace Padlock.Cli.Servers;

/// <summary>ZooKeeper run straight from the distribution's jar (QuorumPeerMain) with a generated config; N members form a quorum.</summary>
internal sealed class ZooKeeperKind : ServerKind
{
    private const string Jar = "/usr/share/java/zookeeper.jar";

    public override string Name => "zookeeper";

    public override int ExtraPorts(int members) => members > 1 ? 2 : 0;

    public override string Program()
    {
        if (!File.Exists(Jar))
            throw new InvalidOperationException($"ZooKeeper is not installed ({Jar} missing; Debian package zookeeper); scripts/servers.sh install installs Redis, ZooKeeper and etcd");
        return Require("java", "default-jre-headless");
    }

    public override IReadOnlyList<string> Arguments(int index, IReadOnlyList<Member> members)
    {
        var me = members[index];
        var cfg = new StringBuilder()
            .AppendLine("tickTime=500")
            .AppendLine("initLimit=20")
            .AppendLine("syncLimit=10")
            .AppendLine(CultureInfo.InvariantCulture, $"dataDir={me.DataDirectory}")
            .AppendLine(CultureInfo.InvariantCulture, $"clientPort={me.Port}")
            .AppendLine("clientPortAddress=127.0.0.1")
            .AppendLine("admin.enableServer=false")
            .AppendLine("4lw.commands.whitelist=srvr,ruok,stat")
            .AppendLine("maxClientCnxns=0");
        if (members.Count > 1)
        {
            for (var i = 0; i < members.Count; i++)
                cfg.AppendLine(CultureInfo.InvariantCulture, $"server.{i + 1}=127.0.0.1:{members[i].PeerPorts[0]}:{members[i].PeerPorts[1]}");
            File.WriteAllText(Path.Combine(me.DataDirectory, "myid"), (index + 1).ToString(CultureInfo.InvariantCulture));
        }
        var cfgPath = Path.Combine(me.DataDirectory, "zoo.cfg");
        File.WriteAllText(cfgPath, cfg.ToString());
        var classpath = Directory.Exists("/etc/zookeeper/conf") ? "/etc/zookeeper/conf:" + Jar : Jar;
        return ["-Xmx256m", "-XX:+UseSerialGC", $"-Dzookeeper.log.dir={me.DataDirectory}", "-Dzookeeper.root.logger=INFO,CONSOLE",
            "-cp", classpath, "org.apache.zookeeper.server.quorum.QuorumPeerMain", cfgPath];
    }

    public override Task<bool> ReadyAsync(int port, CancellationToken ct) => Readiness.ZooKeeperAsync(port, ct);

    public override IReadOnlyList<string> Uris(IReadOnlyList<Member> members) => [$"zk://{Endpoints(members)}"];
}
