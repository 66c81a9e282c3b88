namespace Padlock.Cli.Servers;

/// <summary>
/// Redis without persistence. A "cluster" of N is N independent masters, which is what Redlock wants
/// (<c>redlock://a,b,c</c>), not Redis Cluster.
/// </summary>
internal sealed class RedisKind : ServerKind
{
    public override string Name => "redis";

    public override string Program() => Require("redis-server", "redis-server");

    public override IReadOnlyList<string> Arguments(int index, IReadOnlyList<Member> members)
        => ["--port", members[index].Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", members[index].DataDirectory];

    public override Task<bool> ReadyAsync(int port, CancellationToken ct) => Readiness.RedisAsync(port, ct);

    public override IReadOnlyList<string> Uris(IReadOnlyList<Member> members)
        => members.Count == 1 ? [$"redis://127.0.0.1:{members[0].Port}"] : [$"redlock://{Endpoints(members)}", $"redis://127.0.0.1:{members[0].Port}"];
}
