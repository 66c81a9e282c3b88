using Padlock.Internal;
using Padlock.Stores;

namespace Padlock.Sharding;

// The shard stores this client has opened, one per store identity, kept across map changes so that shards that stay
// keep their connections and sessions.
public sealed partial class DirectoryShardedLockStore
{
    private readonly Dictionary<string, string> _identities = new(StringComparer.Ordinal); // uri → identity
    private readonly Dictionary<string, ILockStore> _stores = new(StringComparer.Ordinal); // identity → store

    private ShardView BuildView(ShardMap map, long version) => new(map, version, IdentityOf, StoreFor);

    private string IdentityOf(string uri)
    {
        lock (_stores)
        {
            if (_identities.TryGetValue(uri, out var known)) return known;
            var parsed = StoreRegistry.ParseKnown(uri);
            var identity = StoreRegistry.FactoryFor(parsed.Scheme).GetIdentity(parsed);
            _identities[uri] = identity;
            return identity;
        }
    }

    private ILockStore StoreFor(string uri)
    {
        var identity = IdentityOf(uri);
        lock (_stores)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
            if (_stores.TryGetValue(identity, out var store)) return store;
            var parsed = StoreRegistry.ParseKnown(uri);
            store = StoreRegistry.FactoryFor(parsed.Scheme).Create(parsed, _context);
            _stores[identity] = store;
            return store;
        }
    }

    private ILockStore[] Stores()
    {
        lock (_stores) return [.. _stores.Values];
    }
}
