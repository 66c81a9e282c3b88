using System.Runtime.CompilerServices;
using System.Text;
using StackExchange.Redis;

namespace Padlock.Redis.Keys;

/// <summary>
/// The Redis keys of one lock. All share the hash tag <c>{name}</c>, so they live in one slot and the scripts that
/// touch several of them run unchanged on Redis Cluster (no CROSSSLOT errors).
/// </summary>
internal sealed class LockKeys
{
    private LockKeys(string prefix, string tag)
    {
        Tag = tag;
        var stem = Stem = prefix + "{" + tag + "}:";
        Lock = stem + "lock";
        Fence = stem + "fence";
        Queue = stem + "queue";
        Deadlines = stem + "deadlines";
        All = [Lock, Fence, Queue, Deadlines];
    }

    /// <summary>
    /// The name of the channel a name's semaphore, reader-writer lock and election publish wake-ups on (messages carry
    /// the primitive's hub tag; the lock's own wake-ups are addressed to stores' inboxes instead). It carries the
    /// name's hash tag, so on a Redis Cluster it maps to the keys' slot (see <see cref="Waiting.WakeRoutes"/>).
    /// </summary>
    internal static string WakeChannelName(string prefix, string tag) => prefix + "{" + tag + "}:wake";

    /// <summary>
    /// <c>prefix{name}:</c>, which every key of the name starts with. On a sharded Cluster a store's inbox for this
    /// lock is <c>prefix{name}:inbox:</c> followed by its inbox id, in the keys' slot.
    /// </summary>
    public string Stem { get; }

    /// <summary>
    /// <c>prefix{name}:inbox:</c> as a sharded channel: what the lock's scripts complete with a token's inbox id on a
    /// sharded Cluster. Made once per keys (the keys are cached per store and name).
    /// </summary>
    public RedisChannel ShardedInboxPrefix => (_shardedInboxPrefix ??= new(RedisChannel.Sharded(Stem + "inbox:"))).Value;

    // Boxed, so a racing first use publishes a whole value (a struct field could be read half-written).
    private StrongBox<RedisChannel>? _shardedInboxPrefix;

    /// <summary>The escaped name inside the braces; also the name carried by wake-up messages.</summary>
    public string Tag { get; }

    /// <summary>The lock itself: holds the owner token, expires with the lease.</summary>
    public RedisKey Lock { get; }

    /// <summary>The fencing counter: never expires, so tokens keep rising across holders.</summary>
    public RedisKey Fence { get; }

    /// <summary>Waiters in arrival order (a list of their owner tokens).</summary>
    public RedisKey Queue { get; }

    /// <summary>Each waiter's check-in deadline (a sorted set): a waiter past it is dead and leaves the line.</summary>
    public RedisKey Deadlines { get; }

    /// <summary>
    /// Lock, fence, queue and deadlines, in the order the acquire and release scripts take them: one array per name,
    /// reused by every call (the scripts only read it). Never modify it.
    /// </summary>
    public RedisKey[] All { get; }

    /// <summary>Keys for <paramref name="name"/>.</summary>
    public static LockKeys For(string prefix, string name) => new(prefix, Escape(name));

    // Redis takes the hash tag up to the first '}', so braces in the name are escaped (and '%' so the escape stays
    // one-to-one: "a}b" and "a%7Db" remain different locks).
    internal static string Escape(string name)
    {
        if (name.AsSpan().IndexOfAny('{', '}', '%') < 0) return name;
        var sb = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            sb.Append(c switch { '%' => "%25", '{' => "%7B", '}' => "%7D", _ => c.ToString() });
        }
        return sb.ToString();
    }
}
