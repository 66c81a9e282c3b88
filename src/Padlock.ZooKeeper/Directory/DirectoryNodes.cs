using Padlock.ZooKeeper.Client;

namespace Padlock.ZooKeeper.Directory;

/// <summary>
/// Where a store's shard directory lives: <c>ROOT/%shards/map</c> (persistent) and <c>ROOT/%shards/clients/ID</c>
/// (ephemeral). No lock's node can be <c>ROOT/%shards</c>: an encoded lock name has '%' only before two hex digits or
/// 'u' and four, and "sh" is neither; the other kinds live under <c>%sem</c>, <c>%rw</c> and <c>%el</c>.
/// </summary>
internal static class DirectoryNodes
{
    public const string Node = "%shards";

    public static string Base(string root) => ZkPaths.Combine(root, Node);

    public static string Map(string root) => ZkPaths.Combine(Base(root), "map");

    public static string Clients(string root) => ZkPaths.Combine(Base(root), "clients");

    public static string Client(string root, string clientId) => ZkPaths.Combine(Clients(root), clientId);
}
