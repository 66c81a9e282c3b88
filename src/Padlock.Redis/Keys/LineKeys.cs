using System.Runtime.CompilerServices;
using Padlock.Redis.Waiting;
using StackExchange.Redis;

namespace Padlock.Redis.Keys;

/// <summary>
/// The Redis keys of one reader-writer lock (<c>:rw:</c>) or one election (<c>:el:</c>). They share the lock's hash tag
/// <c>{name}</c> (one Cluster slot, so every script runs on one node) but not its keys: a lock, a semaphore, a
/// reader-writer lock and an election of one name are independent.
/// </summary>
internal sealed class LineKeys
{
    private LineKeys(string prefix, string tag, string kind)
    {
        // '{' never appears in a lock's tag (it is escaped), so these wake-ups never reach another primitive's waiters.
        HubTag = "{" + kind + "}" + tag;
        var stem = prefix + "{" + tag + "}:" + kind + ":";
        Readers = stem + "readers";
        Writer = stem + "writer";
        Fence = stem + "fence";
        Queue = stem + "queue";
        Deadlines = stem + "deadlines";
        Modes = stem + "modes";
        Grants = stem + "grants";
        Values = stem + "values";
        WakeName = LockKeys.WakeChannelName(prefix, tag);
    }

    /// <summary>The name of the name's wake-up channel (see <see cref="LockKeys.WakeChannelName"/>).</summary>
    public string WakeName { get; }

    /// <summary>The wake-up channel as <paramref name="routes"/> say (classic or sharded); made once per keys.</summary>
    public RedisChannel WakeChannel(WakeRoutes routes) => (_wake ??= new(routes.Channel(WakeName))).Value;

    // Boxed, so a racing first use (a renewal and a release) publishes a whole value.
    private StrongBox<RedisChannel>? _wake;

    /// <summary>The name wake-up messages of this line carry.</summary>
    public string HubTag { get; }

    /// <summary>Read holders (sorted set): owner token scored by its lease's end in server milliseconds.</summary>
    public RedisKey Readers { get; }

    /// <summary>The write holder (sorted set of at most one; an election's leader), scored like <see cref="Readers"/>.</summary>
    public RedisKey Writer { get; }

    /// <summary>The fencing counter, shared by read and write grants: never expires, so tokens keep rising.</summary>
    public RedisKey Fence { get; }

    /// <summary>Waiters in arrival order (a list of their owner tokens).</summary>
    public RedisKey Queue { get; }

    /// <summary>Each waiter's check-in deadline (a sorted set): a waiter past it is dead and leaves the line.</summary>
    public RedisKey Deadlines { get; }

    /// <summary>Each waiter's mode, "r" or "w" (a hash).</summary>
    public RedisKey Modes { get; }

    /// <summary>Each holder's fencing token (a hash), so a holder granted by a hand-off can read it back.</summary>
    public RedisKey Grants { get; }

    /// <summary>Each campaigner's value, waiting or leading (a hash; elections only).</summary>
    public RedisKey Values { get; }

    /// <summary>Every key, in the order the scripts take them.</summary>
    public RedisKey[] All => [Readers, Writer, Fence, Queue, Deadlines, Modes, Grants, Values];

    /// <summary>Keys of the reader-writer lock <paramref name="name"/>.</summary>
    public static LineKeys ReaderWriter(string prefix, string name) => new(prefix, LockKeys.Escape(name), "rw");

    /// <summary>Keys of the election <paramref name="name"/>.</summary>
    public static LineKeys Election(string prefix, string name) => new(prefix, LockKeys.Escape(name), "el");
}
