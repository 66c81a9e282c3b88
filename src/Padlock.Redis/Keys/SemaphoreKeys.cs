using System.Runtime.CompilerServices;
using Padlock.Redis.Waiting;
using StackExchange.Redis;

namespace Padlock.Redis.Keys;

/// <summary>
/// The Redis keys of one semaphore. They share the lock's hash tag <c>{name}</c> (one Cluster slot, so every script
/// runs on one node) but not its keys: a semaphore and a lock of one name are independent.
/// </summary>
internal sealed class SemaphoreKeys
{
    private SemaphoreKeys(string prefix, string tag)
    {
        // '{' never appears in a lock's tag (it is escaped), so a semaphore's wake-ups never reach a lock's waiters.
        HubTag = "{sem}" + tag;
        var stem = prefix + "{" + tag + "}:sem:";
        Holders = stem + "holders";
        Fence = stem + "fence";
        Queue = stem + "queue";
        Deadlines = stem + "deadlines";
        Count = stem + "count";
        Grants = stem + "grants";
        WakeName = LockKeys.WakeChannelName(prefix, tag);
    }

    /// <summary>The name of the name's wake-up channel (see <see cref="LockKeys.WakeChannelName"/>).</summary>
    public string WakeName { get; }

    /// <summary>The wake-up channel as <paramref name="routes"/> say (classic or sharded); made once per keys.</summary>
    public RedisChannel WakeChannel(WakeRoutes routes) => (_wake ??= new(routes.Channel(WakeName))).Value;

    // Boxed, so a racing first use (a renewal and a release) publishes a whole value.
    private StrongBox<RedisChannel>? _wake;

    /// <summary>The name wake-up messages of this semaphore carry.</summary>
    public string HubTag { get; }

    /// <summary>Permit holders (sorted set): owner token scored by its lease's end in server milliseconds.</summary>
    public RedisKey Holders { get; }

    /// <summary>The fencing counter: never expires, so tokens keep rising across permits.</summary>
    public RedisKey Fence { get; }

    /// <summary>Waiters in arrival order (a list of their owner tokens).</summary>
    public RedisKey Queue { get; }

    /// <summary>Each waiter's check-in deadline (a sorted set): a waiter past it is dead and leaves the line.</summary>
    public RedisKey Deadlines { get; }

    /// <summary>The maxCount the name is in use with, while anyone holds or waits.</summary>
    public RedisKey Count { get; }

    /// <summary>Each holder's fencing token (a hash), so a holder granted by a hand-off can read it back.</summary>
    public RedisKey Grants { get; }

    /// <summary>Every key, in the order the scripts take them.</summary>
    public RedisKey[] All => [Holders, Fence, Queue, Deadlines, Count, Grants];

    /// <summary>Keys for <paramref name="name"/>.</summary>
    public static SemaphoreKeys For(string prefix, string name) => new(prefix, LockKeys.Escape(name));
}
