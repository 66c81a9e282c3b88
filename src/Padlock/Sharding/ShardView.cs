using Padlock.Stores;

namespace Padlock.Sharding;

/// <summary>
/// A client's working copy of one map: the stores of its current and target tables, every table's store identities
/// (placement compares stores, not URI spellings), and a token cancelled when a newer map replaces it, so waits begun
/// under this map start over under the new one.
/// </summary>
internal sealed class ShardView : IDisposable
{
    private readonly string[][] _identities; // per table, aligned with its Ids
    private readonly Dictionary<string, ILockStore> _stores; // identity → store, for the current and target tables
    private readonly CancellationTokenSource _superseded = new();

    public ShardView(ShardMap map, long version, Func<string, string> identityOf, Func<string, ILockStore> storeFor)
    {
        Map = map;
        Version = version;
        _identities = [.. map.Tables.Select(t => t.Ids.Select(id => identityOf(t.Shards[id])).ToArray())];
        _stores = new(StringComparer.Ordinal);
        foreach (var table in (IEnumerable<ShardTable>)[map.Current, map.Target])
        {
            foreach (var uri in table.Shards.Values) _stores.TryAdd(identityOf(uri), storeFor(uri));
        }
    }

    public ShardMap Map { get; }

    public long Version { get; }

    public long Epoch => Map.Epoch;

    public CancellationToken Superseded => _superseded.Token;

    public void Supersede() => _superseded.Cancel();

    /// <summary>
    /// Where <paramref name="name"/> is held under this map: one store, or while moving and placed differently by the
    /// two tables, the old store first and the new one second, with the name's generation under each table.
    /// </summary>
    public ShardPlacement Place(string name)
    {
        var last = Map.Tables.Count - 1;
        if (!Map.IsMoving)
            return new(_stores[IdentityAt(last, name)], null, GenerationAt(last, name), 0);
        var old = IdentityAt(last - 1, name);
        var target = IdentityAt(last, name);
        if (old == target) return new(_stores[old], null, GenerationAt(last - 1, name), 0);
        return new(_stores[old], _stores[target], GenerationAt(last - 1, name), Map.Target.Epoch);
    }

    /// <summary>The store identity that table <paramref name="index"/> places <paramref name="name"/> on.</summary>
    public string IdentityAt(int index, string name)
    {
        var table = Map.Tables[index];
        return _identities[index][RendezvousHash.Pick(table.Ids, name)];
    }

    /// <summary>
    /// The epoch of the latest table (up to <paramref name="index"/>) that placed <paramref name="name"/> on a different
    /// store than the table before it: every client with the same history computes the same value.
    /// </summary>
    public long GenerationAt(int index, string name)
    {
        var here = IdentityAt(index, name);
        for (var i = index; i > 0; i--)
        {
            var before = IdentityAt(i - 1, name);
            if (before != here) return Map.Tables[i].Epoch;
            here = before;
        }
        return Map.Tables[0].Epoch;
    }

    public void Dispose() => _superseded.Dispose();
}

/// <summary>Where a name is held: <see cref="First"/> alone, or <see cref="First"/> (old) then <see cref="Second"/> (new) while it moves.</summary>
internal readonly record struct ShardPlacement(ILockStore First, ILockStore? Second, long Generation, long NewGeneration);
