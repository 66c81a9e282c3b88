using StackExchange.Redis;

namespace Padlock.Redis.Waiting;

/// <summary>
/// The one place that decides how wake-ups travel: classic pub/sub (PUBLISH, SUBSCRIBE) or, on a Redis Cluster whose
/// servers are all 7.0 or later, sharded pub/sub (SPUBLISH, SSUBSCRIBE). A classic PUBLISH on a Cluster is broadcast
/// over the cluster bus to every node, so each hand-off costs a message per node however few listen; a sharded one
/// stays on the shard owning the channel's slot. Every channel carries its name's hash tag, so it hashes to the slot
/// of the keys the publishing script touches (a script may SPUBLISH only there). Decided once, when the store's
/// connection is first made: standalone, Sentinel and older Clusters keep the classic channels.
/// </summary>
internal sealed class WakeRoutes
{
    private static readonly WakeRoutes ClassicRoutes = new(sharded: false);
    private static readonly WakeRoutes ShardedRoutes = new(sharded: true);

    private WakeRoutes(bool sharded) => Sharded = sharded;

    /// <summary>Classic channels (standalone, Sentinel, Redlock masters, Clusters before 7.0).</summary>
    public static WakeRoutes Classic => ClassicRoutes;

    /// <summary>Whether wake-ups use sharded pub/sub.</summary>
    public bool Sharded { get; }

    /// <summary>
    /// Sharded when every connected server is a Redis Cluster node that supports SPUBLISH/SSUBSCRIBE (7.0+); a mixed
    /// cluster in the middle of an upgrade stays classic (a sharded command would fail on its older nodes).
    /// </summary>
    public static WakeRoutes For(IConnectionMultiplexer connection)
    {
        var servers = connection.GetServers().Where(s => s.IsConnected).ToArray();
        var sharded = servers.Length > 0 && servers.All(s => s.ServerType == ServerType.Cluster && s.Features.ShardedPubSub);
        return sharded ? ShardedRoutes : ClassicRoutes;
    }

    /// <summary>The channel named <paramref name="name"/>, sharded or classic.</summary>
    public RedisChannel Channel(string name) => Sharded ? RedisChannel.Sharded(name) : RedisChannel.Literal(name);

    /// <summary>The command a script publishes to <paramref name="channel"/> with (scripts take it as an argument).</summary>
    public static string PublishCommand(RedisChannel channel) => channel.IsSharded ? "SPUBLISH" : "PUBLISH";
}
