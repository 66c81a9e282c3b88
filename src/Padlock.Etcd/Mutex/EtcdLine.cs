using Etcdserverpb;
using Google.Protobuf;
using Mvccpb;
using Padlock.Etcd.Connection;
using Padlock.Etcd.Watching;

namespace Padlock.Etcd.Mutex;

/// <summary>The one <see cref="IEtcdLine"/> of the etcd store: its requests, through the store's connection and watch hub.</summary>
internal sealed class EtcdLine(EtcdConnection connection, WatchHub watches) : IEtcdLine
{
    public async Task<long?> CreateIfEmptyAsync(ByteString prefix, ByteString key, ByteString value, long leaseId, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest();
        // A compare on a range holds for every key in it, and for none when it is empty.
        txn.Compare.Add(new Compare { Key = prefix, RangeEnd = LockKeys.RangeEnd(prefix), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = value, Lease = leaseId } });
        var response = await TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        return response.Succeeded ? response.Header.Revision : null;
    }

    public async Task<LineRead> CreateAndReadAsync(ByteString prefix, ByteString key, ByteString value, long leaseId, int window, bool keysOnly, CancellationToken cancellationToken)
    {
        var end = LockKeys.RangeEnd(prefix);
        var txn = new TxnRequest();
        // Create our key unless a previous attempt of this same request already did (a retry on another member).
        txn.Compare.Add(new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = value, Lease = leaseId } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = key } });
        // In the same round trip: the current holders (lowest create revisions), so an uncontended acquire is one request...
        var owner = new RequestOp { RequestRange = new RangeRequest { Key = prefix, RangeEnd = end, SortTarget = RangeRequest.Types.SortTarget.Create, SortOrder = RangeRequest.Types.SortOrder.Ascend, Limit = window, KeysOnly = keysOnly } };
        txn.Success.Add(owner);
        txn.Failure.Add(owner);
        // ...and the two newest keys (ours, just created, and the one below it), so a contended one needs no second read.
        txn.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = prefix, RangeEnd = end, SortTarget = RangeRequest.Types.SortTarget.Create, SortOrder = RangeRequest.Types.SortOrder.Descend, Limit = 2, KeysOnly = true } });
        var response = await TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        var mine = response.Succeeded ? response.Header.Revision : response.Responses[0].ResponseRange.Kvs[0].CreateRevision;
        return new LineRead(mine, response.Responses[1].ResponseRange.Kvs, response.Succeeded ? response.Responses[2].ResponseRange.Kvs : null, response.Header.Revision);
    }

    public async Task<(IReadOnlyList<KeyValue> Below, KeyValue? Ours, long Revision)> ReadBelowAsync(ByteString prefix, ByteString key, long mine, int window, bool keysOnly, bool serializable, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest();
        txn.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = prefix, RangeEnd = LockKeys.RangeEnd(prefix), MaxCreateRevision = mine - 1, SortTarget = RangeRequest.Types.SortTarget.Create, SortOrder = RangeRequest.Types.SortOrder.Descend, Limit = window, KeysOnly = keysOnly, Serializable = serializable } });
        txn.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = key, KeysOnly = true, Serializable = serializable } });
        var response = await TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        return (response.Responses[0].ResponseRange.Kvs, response.Responses[1].ResponseRange.Kvs.FirstOrDefault(), response.Header.Revision);
    }

    public async Task<KeyValue?> GetAsync(ByteString key, CancellationToken cancellationToken)
    {
        var response = await connection.CallAsync(
            (invoker, options) => new KV.KVClient(invoker).RangeAsync(new RangeRequest { Key = key }, options).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        return response.Kvs.FirstOrDefault();
    }

    public async Task<bool> ReplaceAsync(ByteString key, long createRevision, ByteString value, long leaseId, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = createRevision });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = value, Lease = leaseId } });
        return (await TxnAsync(txn, cancellationToken).ConfigureAwait(false)).Succeeded;
    }

    public Task DeleteAsync(ByteString key, CancellationToken cancellationToken)
        => connection.CallAsync((invoker, options) => new KV.KVClient(invoker).DeleteRangeAsync(new DeleteRangeRequest { Key = key }, options).ResponseAsync, cancellationToken);

    public KeyWatch Watch(ByteString key, long fromRevision) => watches.Watch(key, fromRevision);

    public KeyWatch WatchRange(ByteString prefix, long fromRevision) => watches.Watch(prefix, fromRevision, LockKeys.RangeEnd(prefix));

    public void Cancel(KeyWatch watch) => watches.Cancel(watch);

    private Task<TxnResponse> TxnAsync(TxnRequest txn, CancellationToken ct)
        => connection.CallAsync((invoker, options) => new KV.KVClient(invoker).TxnAsync(txn, options).ResponseAsync, ct);
}
