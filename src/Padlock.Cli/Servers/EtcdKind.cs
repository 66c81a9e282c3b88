using System.Globalization;

namespace Padlock.Cli.Servers;

/// <summary>etcd on loopback; N members form one cluster with a fresh cluster token.</summary>
internal sealed class EtcdKind : ServerKind
{
    public override string Name => "etcd";

    public override int ExtraPorts(int members) => 1;

    public override string Program() => Require("etcd", "etcd-server");

    public override IReadOnlyList<string> Arguments(int index, IReadOnlyList<Member> members)
    {
        var me = members[index];
        var cluster = string.Join(",", members.Select((m, i) => $"n{i + 1}=http://127.0.0.1:{m.PeerPorts[0]}"));
        var client = $"http://127.0.0.1:{me.Port.ToString(CultureInfo.InvariantCulture)}";
        var peer = $"http://127.0.0.1:{me.PeerPorts[0].ToString(CultureInfo.InvariantCulture)}";
        return ["--name", $"n{index + 1}", "--data-dir", Path.Combine(me.DataDirectory, "etcd"),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", cluster, "--initial-cluster-state", "new",
            "--initial-cluster-token", "padlock-" + Path.GetFileName(members[0].DataDirectory)];
    }

    public override Task<bool> ReadyAsync(int port, CancellationToken ct) => Readiness.EtcdAsync(port, ct);

    public override IReadOnlyList<string> Uris(IReadOnlyList<Member> members) => [$"etcd://{Endpoints(members)}"];
}
