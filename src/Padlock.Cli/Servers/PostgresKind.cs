using Padlock.LocalServers;

namespace Padlock.Cli.Servers;

/// <summary>
/// PostgreSQL: one server (a group of one; <c>--cluster</c> does not make a replica set), its data directory made by
/// initdb, trust authentication on 127.0.0.1 only, run as the unprivileged <c>padlock-pg</c> user when padlock is root
/// (initdb and the server refuse root).
/// </summary>
internal sealed class PostgresKind : ServerKind
{
    public override string Name => "postgres";

    public override int MaxMembers => 1;

    public override string Program() => Path.Combine(PostgresServer.BinDirectory(), "postgres");

    public override IReadOnlyList<string> Command(string program, int index, IReadOnlyList<Member> members)
        => PostgresServer.PrepareAsync(members[index].DataDirectory, members[index].Port).GetAwaiter().GetResult();

    // The arguments come with the command: initdb runs first, and under root the program is setpriv.
    public override IReadOnlyList<string> Arguments(int index, IReadOnlyList<Member> members) => [];

    public override Task<bool> ReadyAsync(int port, CancellationToken ct) => PostgresServer.IsReadyAsync(port, ct);

    public override IReadOnlyList<string> Uris(IReadOnlyList<Member> members)
        => [$"postgres://127.0.0.1:{members[0].Port}/postgres?user=postgres"];
}
