namespace Padlock.Cli.Servers;

/// <summary>One server started by <c>padlock servers start</c>, as kept in the state file.</summary>
/// <param name="Kind">redis, zookeeper or etcd.</param>
/// <param name="Pid">The server's own process id (the launcher execs into it).</param>
/// <param name="Port">The client port on 127.0.0.1.</param>
/// <param name="Program">The executable, checked against /proc before a stop so a reused PID is never signalled.</param>
/// <param name="DataDirectory">Its temporary data directory, deleted on stop.</param>
/// <param name="Group">Servers started together (a cluster) share a group.</param>
internal sealed record ServerRecord(string Kind, int Pid, int Port, string Program, string DataDirectory, string Group);

/// <summary>A started group of servers and the store URIs that reach it.</summary>
internal sealed record ServerGroup(string Kind, string Group, IReadOnlyList<ServerRecord> Servers, IReadOnlyList<string> Uris);
