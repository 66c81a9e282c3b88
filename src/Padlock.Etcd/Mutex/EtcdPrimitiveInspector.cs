using Etcdserverpb;
using Google.Protobuf;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// Reads a semaphore's, reader-writer lock's or election's line (every key under its prefix, in create-revision order)
/// without changing anything. A key's create revision is the token it holds or will hold; its value is the owner (a
/// semaphore's: "MAXCOUNT OWNER"; an election's: the candidate's value); a reader-writer key's kind is the part of its
/// path after the line's prefix (<c>r/</c> or <c>w/</c>). Which keys hold follows from the line's policy, as the recipe
/// decides; the holders' lease time left is read from their leases.
/// </summary>
internal static class EtcdPrimitiveInspector
{
    public static async ValueTask<PrimitiveStatus> SemaphoreAsync(EtcdLockStore store, string name, int maxCount, CancellationToken ct)
    {
        var kvs = await RangeAsync(store, LockKeys.SemaphorePrefixOf(store.Prefix, name), ct).ConfigureAwait(false);
        // The keys record the maxCount they are used with: that one decides, not the caller's guess.
        var recorded = kvs.Count > 0 ? LineSpec.MaxCountOf(kvs[0].Value) : null;
        var policy = LinePolicy.Semaphore(recorded is >= 1 and <= SemaphoreLimits.MaxCount ? recorded.Value : maxCount);
        var line = kvs.Select(kv => new PrimitiveEntry(OwnerOf(kv.Value), kv.CreateRevision)).ToList();
        return await WithLeasesAsync(store, PrimitiveStatus.FromLine(name, line, policy), line, kvs, ct).ConfigureAwait(false);
    }

    public static async ValueTask<PrimitiveStatus> ReaderWriterAsync(EtcdLockStore store, string name, CancellationToken ct)
    {
        var prefix = LockKeys.ReaderWriterPrefixOf(store.Prefix, name);
        var readers = LockKeys.Under(prefix, "r");
        var kvs = await RangeAsync(store, prefix, ct).ConfigureAwait(false);
        var line = kvs.Select(kv => new PrimitiveEntry(kv.Value.ToStringUtf8(), kv.CreateRevision,
            Mode: kv.Key.Span.StartsWith(readers.Span) ? LockMode.Read : LockMode.Write)).ToList();
        return await WithLeasesAsync(store, PrimitiveStatus.FromLine(name, line, null), line, kvs, ct).ConfigureAwait(false);
    }

    public static async ValueTask<PrimitiveStatus> ElectionAsync(EtcdLockStore store, string name, CancellationToken ct)
    {
        var kvs = await RangeAsync(store, LockKeys.ElectionPrefixOf(store.Prefix, name), ct).ConfigureAwait(false);
        var line = kvs.Select(kv => new PrimitiveEntry(null, kv.CreateRevision, Value: kv.Value.ToStringUtf8())).ToList();
        return await WithLeasesAsync(store, PrimitiveStatus.FromLine(name, line, LinePolicy.Exclusive), line, kvs, ct).ConfigureAwait(false);
    }

    private static string OwnerOf(ByteString semaphoreValue)
    {
        var text = semaphoreValue.ToStringUtf8();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? text : text[(space + 1)..];
    }

    private static async Task<List<Mvccpb.KeyValue>> RangeAsync(EtcdLockStore store, ByteString prefix, CancellationToken ct)
    {
        var range = await store.Connection.CallAsync((invoker, options) => new KV.KVClient(invoker).RangeAsync(new RangeRequest
        {
            Key = prefix,
            RangeEnd = LockKeys.RangeEnd(prefix),
            SortTarget = RangeRequest.Types.SortTarget.Create,
            SortOrder = RangeRequest.Types.SortOrder.Ascend,
        }, options).ResponseAsync, ct).ConfigureAwait(false);
        return [.. range.Kvs];
    }

    // The holders' lease time left (one read per distinct lease; handles of one provider share one). etcd records no
    // wall-clock time on keys, so Since stays unknown. Entries are matched to their keys by position in the line.
    private static async ValueTask<PrimitiveStatus> WithLeasesAsync(EtcdLockStore store, PrimitiveStatus status, List<PrimitiveEntry> line, List<Mvccpb.KeyValue> kvs, CancellationToken ct)
    {
        var leaseOf = new Dictionary<PrimitiveEntry, long>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < line.Count; i++) leaseOf[line[i]] = kvs[i].Lease;
        var left = new Dictionary<long, TimeSpan?>();
        var holders = new List<PrimitiveEntry>();
        foreach (var holder in status.Holders)
        {
            var lease = leaseOf[holder];
            if (lease != 0 && !left.ContainsKey(lease))
            {
                var ttl = await store.Connection.CallAsync((invoker, options) => new Lease.LeaseClient(invoker)
                    .LeaseTimeToLiveAsync(new LeaseTimeToLiveRequest { ID = lease }, options).ResponseAsync, ct).ConfigureAwait(false);
                left[lease] = ttl.TTL >= 0 ? TimeSpan.FromSeconds(ttl.TTL) : null;
            }
            holders.Add(holder with { LeaseRemaining = lease == 0 ? null : left[lease] });
        }
        return status with { Holders = holders };
    }
}
