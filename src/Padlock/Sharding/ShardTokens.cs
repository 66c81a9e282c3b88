namespace Padlock.Sharding;

/// <summary>
/// The fencing-token layout of a provider that follows a shard map in a directory
/// (<see cref="LockProvider.CreateSharded(string, Stores.StoreContext?)"/>): the name's placement generation in the high bits,
/// the shard's own token in the low <see cref="ShardTokenBits"/>. A name's generation is the epoch of the map that last
/// moved it to another store, so when a name moves, every token from its new shard out-ranks every token its old shard
/// gave, and a name that never moves keeps its shard's tokens (plus a constant). Compare whole tokens: the order is
/// (generation, shard token).
/// </summary>
/// <remarks>
/// The bit budget holds every server store's tokens: etcd revisions and Redis, PostgreSQL and in-process counters start
/// at 1 and grow by one per grant; a ZooKeeper czxid is (leader epoch &lt;&lt; 32 | counter), below 2^48 while the
/// ensemble has elected fewer than 65,536 leaders. A token past the budget is refused loudly (the hold is released and
/// <see cref="InvalidOperationException"/> thrown), never wrapped. The file store's tokens (clock microseconds) do not
/// fit, and a file store is one machine anyway: directory maps refuse <c>file://</c> shards.
/// </remarks>
public static class ShardTokens
{
    /// <summary>Bits for the shard's own token: 48.</summary>
    public const int ShardTokenBits = 48;

    /// <summary>The largest generation (map epoch) the layout holds: 2^15 - 1, so tokens stay positive.</summary>
    public const long MaxGeneration = (1L << (63 - ShardTokenBits)) - 1;

    /// <summary>The largest shard token the layout holds: 2^48 - 1.</summary>
    public const long MaxShardToken = (1L << ShardTokenBits) - 1;

    /// <summary>Packs a generation and a shard token into one fencing token.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The generation is not 1..<see cref="MaxGeneration"/> or the shard token not 0..<see cref="MaxShardToken"/>.</exception>
    public static long Pack(long generation, long shardToken)
    {
        if (generation is < 1 or > MaxGeneration)
            throw new ArgumentOutOfRangeException(nameof(generation), generation, $"A shard map generation must be 1..{MaxGeneration}.");
        if (shardToken is < 0 or > MaxShardToken)
            throw new ArgumentOutOfRangeException(nameof(shardToken), shardToken,
                $"A shard's fencing token must be 0..2^{ShardTokenBits}-1 to be packed under a directory map; this store's tokens are too large to shard this way.");
        return (generation << ShardTokenBits) | shardToken;
    }

    /// <summary>The generation part of a packed token.</summary>
    public static long GenerationOf(long token) => token >>> ShardTokenBits;

    /// <summary>The shard's own token inside a packed token.</summary>
    public static long ShardTokenOf(long token) => token & MaxShardToken;
}
