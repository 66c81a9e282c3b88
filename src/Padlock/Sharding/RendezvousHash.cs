using System.Text;

namespace Padlock.Sharding;

/// <summary>
/// Highest-random-weight (rendezvous) hashing: each name goes to the shard whose (shard id, name) hash is highest.
/// Adding a shard moves only the names that now score highest on it (about 1/(n+1) of them); removing one moves only
/// its own names. The hash is fixed (FNV-1a, then a 64-bit finaliser), never <see cref="string.GetHashCode()"/>:
/// every process and every version must send a name to the same shard, or two holders could meet on different shards.
/// </summary>
internal static class RendezvousHash
{
    /// <summary>The index in <paramref name="shardIds"/> that <paramref name="name"/> belongs to.</summary>
    public static int Pick(IReadOnlyList<string> shardIds, string name)
    {
        var best = 0;
        ulong bestScore = 0;
        for (var i = 0; i < shardIds.Count; i++)
        {
            var score = Score(shardIds[i], name);
            // Ties (vanishingly rare) go to the smaller id, so the choice never depends on list order.
            if (i == 0 || score > bestScore || (score == bestScore && string.CompareOrdinal(shardIds[i], shardIds[best]) < 0))
            {
                best = i;
                bestScore = score;
            }
        }
        return best;
    }

    internal static ulong Score(string shardId, string name)
    {
        var h = 14695981039346656037UL;
        h = Mix(h, shardId);
        h = (h ^ 0xFF) * 1099511628211UL; // a separator no UTF-8 text contains, so ("ab","c") and ("a","bc") differ
        h = Mix(h, name);
        // FNV's low bits are weak; a SplitMix64-style finaliser spreads them before comparing scores.
        h ^= h >> 30;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27;
        h *= 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return h;
    }

    private static ulong Mix(ulong h, string s)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetMaxByteCount(s.Length) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(s, buffer)] : Encoding.UTF8.GetBytes(s);
        foreach (var b in bytes) h = (h ^ b) * 1099511628211UL;
        return h;
    }
}
