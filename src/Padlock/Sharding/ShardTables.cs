using Padlock.Internal;

namespace Padlock.Sharding;

/// <summary>Checks on a table a change proposes, and placement by store identity rather than URI spelling.</summary>
internal static class ShardTables
{
    /// <summary>Schemes a directory map refuses: stores local to one machine or one process cannot be shared shards.</summary>
    private static readonly string[] LocalSchemes = ["file", "mem"];

    /// <summary>A table (epoch 1 as a placeholder) whose URIs parse, name server stores, and name each store once.</summary>
    public static ShardTable Validated(IReadOnlyDictionary<string, string> shards, string paramName)
    {
        ArgumentNullException.ThrowIfNull(shards, paramName);
        var table = new ShardTable(1, shards);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, uri) in table.Shards)
        {
            var parsed = StoreRegistry.ParseKnown(uri);
            if (LocalSchemes.Contains(parsed.Scheme, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException(
                    $"Shard '{id}' is a {parsed.Scheme}:// store, local to one {(parsed.Scheme == "mem" ? "process" : "machine")}: a shard map needs server stores (redis://, zk://, etcd://, postgres://).", paramName);
            var identity = IdentityOf(uri);
            if (!seen.TryAdd(identity, id))
                throw new ArgumentException($"Shards '{seen[identity]}' and '{id}' are the same store ({identity}); each store may appear once.", paramName);
        }
        return table;
    }

    public static string IdentityOf(string uri)
    {
        var parsed = StoreRegistry.ParseKnown(uri);
        return StoreRegistry.FactoryFor(parsed.Scheme).GetIdentity(parsed);
    }

    /// <summary>Whether two tables place every name on the same store: same ids, each naming the same store.</summary>
    public static bool SamePlacement(ShardTable a, ShardTable b)
        => a.Ids.SequenceEqual(b.Ids, StringComparer.Ordinal) && a.Ids.All(id => IdentityOf(a.Shards[id]) == IdentityOf(b.Shards[id]));
}
