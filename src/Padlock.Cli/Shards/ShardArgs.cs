using Padlock.Cli.Common;

namespace Padlock.Cli.Shards;

/// <summary>Parses the <c>ID=STORE-URI</c> arguments of <c>padlock shards plan|apply</c> into a shard list.</summary>
internal static class ShardArgs
{
    /// <summary>The form every message names.</summary>
    public const string Form = "ID=STORE-URI (e.g. b=etcd://127.0.0.1:2379/shard-b)";

    /// <summary>
    /// True when <paramref name="arg"/> reads as a shard: an id, '=', then a URI with a scheme. Plan takes shards and
    /// names in one list, and a lock name that happens to contain "=x://" is far less likely than a typo in a shard.
    /// </summary>
    public static bool LooksLikeShard(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && arg.IndexOf("://", eq, StringComparison.Ordinal) > eq;
    }

    /// <summary>Shard id → URI, in the order given; every argument must be <see cref="Form"/>, ids unique, the list not empty.</summary>
    public static Dictionary<string, string> Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
            throw new UsageException($"no shards given: list the whole new shard set as {Form} ...");
        var shards = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arg in args)
        {
            // Split at the first '=': ids cannot contain one, URIs may (?ttl=3s).
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == arg.Length - 1 || string.IsNullOrWhiteSpace(arg[(eq + 1)..]))
                throw new UsageException($"invalid shard '{StoreOpener.Shown(arg)}': expected {Form}");
            var id = arg[..eq].Trim();
            var uri = arg[(eq + 1)..].Trim();
            StoreOpener.Validate(uri);
            if (!shards.TryAdd(id, uri))
                throw new UsageException($"shard id '{id}' is given twice: each id names one store");
        }
        return shards;
    }
}
