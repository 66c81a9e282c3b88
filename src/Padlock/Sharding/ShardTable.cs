using System.Text.RegularExpressions;

namespace Padlock.Sharding;

/// <summary>
/// One shard set of a <see cref="ShardMap"/>: shard ids mapped to store URIs, and the map epoch that introduced it.
/// Names are placed by rendezvous hashing of (shard id, name), so adding a shard moves about 1/(n+1) of the names and
/// removing one moves only its own.
/// </summary>
public sealed partial class ShardTable
{
    private readonly string[] _ids;

    /// <summary>Builds a table.</summary>
    /// <param name="epoch">The map epoch that introduced it (1 or more).</param>
    /// <param name="shards">Shard id → store URI. Ids: letters, digits, '-', '_' and '.', at most 64 characters.</param>
    /// <exception cref="ArgumentException">No shards, a bad id, an empty URI, or an epoch below 1.</exception>
    public ShardTable(long epoch, IReadOnlyDictionary<string, string> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        if (shards.Count == 0) throw new ArgumentException("A shard table needs at least one shard.", nameof(shards));
        foreach (var (id, uri) in shards)
        {
            if (id is null || !IdPattern().IsMatch(id))
                throw new ArgumentException($"Shard id '{id}' is not allowed: use 1 to 64 letters, digits, '-', '_' or '.'.", nameof(shards));
            if (string.IsNullOrWhiteSpace(uri))
                throw new ArgumentException($"Shard '{id}' has no store URI.", nameof(shards));
        }
        Epoch = epoch;
        _ids = [.. shards.Keys.Order(StringComparer.Ordinal)];
        Shards = _ids.ToDictionary(id => id, id => shards[id].Trim(), StringComparer.Ordinal);
    }

    /// <summary>The map epoch that introduced this table.</summary>
    public long Epoch { get; }

    /// <summary>Shard id → store URI, ids in ordinal order.</summary>
    public IReadOnlyDictionary<string, string> Shards { get; }

    /// <summary>The shard ids in ordinal order.</summary>
    public IReadOnlyList<string> Ids => _ids;

    /// <summary>The id of the shard that <paramref name="name"/> is placed on.</summary>
    public string ShardFor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _ids[RendezvousHash.Pick(_ids, name)];
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();
}
