using Google.Protobuf;
using Padlock.Etcd.Mutex;

namespace Padlock.Etcd.Directory;

/// <summary>
/// Where a store's shard directory lives: the map at <c>PREFIX/#shards/map</c>, each client at
/// <c>PREFIX/#shards/clients/ID</c>. Apart from every lock, semaphore, reader-writer lock and election by the argument of
/// <see cref="LockKeys"/>: the prefix holds no '#', so a key's first '#' ends the prefix, and what follows it here
/// ("shards/") is none of the markers those use ("/", "s/", "rw/", "el/").
/// </summary>
internal static class DirectoryKeys
{
    public static ByteString Map(string prefix) => ByteString.CopyFromUtf8(Root(prefix) + "map");

    /// <summary>The prefix of every client key, ending in '/'.</summary>
    public static ByteString Clients(string prefix) => ByteString.CopyFromUtf8(Root(prefix) + "clients/");

    public static ByteString Client(string prefix, string clientId) => ByteString.CopyFromUtf8(Root(prefix) + "clients/" + clientId);

    private static string Root(string prefix) => prefix + "/" + LockKeys.Marker + "shards/";
}
