using Etcdserverpb;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>Reads who holds a lock and who waits, from the lock's keys in revision order, without changing anything.</summary>
internal static class EtcdInspector
{
    public static async ValueTask<LockStatus> InspectAsync(EtcdLockStore store, string name, CancellationToken ct)
    {
        var prefix = LockKeys.PrefixOf(store.Prefix, name);
        var range = await store.Connection.CallAsync((invoker, options) => new KV.KVClient(invoker).RangeAsync(new RangeRequest
        {
            Key = prefix,
            RangeEnd = LockKeys.RangeEnd(prefix),
            SortTarget = RangeRequest.Types.SortTarget.Create,
            SortOrder = RangeRequest.Types.SortOrder.Ascend,
        }, options).ResponseAsync, ct).ConfigureAwait(false);
        if (range.Kvs.Count == 0) return new LockStatus(name, IsHeld: false, Waiters: []);
        var holder = range.Kvs[0];
        TimeSpan? remaining = null;
        if (holder.Lease != 0)
        {
            var ttl = await store.Connection.CallAsync((invoker, options) => new Lease.LeaseClient(invoker)
                .LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = holder.Lease }, options).ResponseAsync, ct).ConfigureAwait(false);
            if (ttl.TTL >= 0) remaining = TimeSpan.FromSeconds(ttl.TTL);
        }
        // etcd records no wall-clock time on keys, so Since stays unknown.
        return new LockStatus(name, IsHeld: true, FencingToken: holder.CreateRevision, Owner: holder.Value.ToStringUtf8(),
            LeaseRemaining: remaining, Waiters: [.. range.Kvs.Skip(1).Select(kv => kv.Value.ToStringUtf8())]);
    }
}
