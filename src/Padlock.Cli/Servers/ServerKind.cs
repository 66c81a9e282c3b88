namespace Padlock.Cli.Servers;

/// <summary>How to run one kind of server: its program, the arguments of member i of a group, and its readiness probe.</summary>
internal abstract class ServerKind
{
    public abstract string Name { get; }

    /// <summary>Ports beyond the client port each member needs (cluster peers).</summary>
    public virtual int ExtraPorts(int members) => 0;

    /// <summary>The program's full path; throws naming how to install it when missing.</summary>
    public abstract string Program();

    /// <summary>The arguments of member <paramref name="index"/>; may write config files into its data directory.</summary>
    public abstract IReadOnlyList<string> Arguments(int index, IReadOnlyList<Member> members);

    /// <summary>The whole command line of member <paramref name="index"/>, program first (a kind may wrap the program).</summary>
    public virtual IReadOnlyList<string> Command(string program, int index, IReadOnlyList<Member> members) => [program, .. Arguments(index, members)];

    /// <summary>The most members a group of this kind can have (more asked for: this many).</summary>
    public virtual int MaxMembers => int.MaxValue;

    public abstract Task<bool> ReadyAsync(int port, CancellationToken ct);

    /// <summary>The store URIs reaching a started group.</summary>
    public abstract IReadOnlyList<string> Uris(IReadOnlyList<Member> members);

    public static IReadOnlyList<ServerKind> All { get; } = [new RedisKind(), new ZooKeeperKind(), new EtcdKind(), new PostgresKind()];

    protected static string Require(string program, string package, params string[] alternatives)
    {
        try
        {
            return LocalServers.ServerBinaries.Require(program, alternatives);
        }
        catch (InvalidOperationException)
        {
            throw new InvalidOperationException($"{program} is not installed (Debian package {package}); scripts/servers.sh install installs Redis, ZooKeeper, etcd and PostgreSQL");
        }
    }

    protected static string Endpoints(IReadOnlyList<Member> members) => string.Join(",", members.Select(m => $"127.0.0.1:{m.Port}"));
}

/// <summary>One member of a group being started: its client port, its peer ports, its data directory.</summary>
internal sealed record Member(int Port, int[] PeerPorts, string DataDirectory);
