using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Padlock.Etcd.Session;
using Padlock.Sharding.Directory;

namespace Padlock.Etcd.Directory;

/// <summary>
/// A client's key in the directory, under the store's session lease: etcd deletes it when the lease ends. Its loss is the
/// session's (<see cref="EtcdSession.Lost"/>, which compares the lease deadline with the monotonic clock when read).
/// Updates and the delete are guarded by the key's create revision and lease, so they never touch a key another client
/// made later, nor one a later registration of this store took over.
/// </summary>
internal sealed class EtcdDirectoryRegistration : IShardDirectoryRegistration
{
    private readonly EtcdLockStore _store;
    private readonly EtcdSession _session;
    private readonly string _clientId;
    private readonly ByteString _key;
    private readonly long _createRevision;
    private int _disposed;

    public EtcdDirectoryRegistration(EtcdLockStore store, EtcdSession session, string clientId, ByteString key, long createRevision)
    {
        _store = store;
        _session = session;
        _clientId = clientId;
        _key = key;
        _createRevision = createRevision;
    }

    public CancellationToken LostToken => _session.Lost;

    public TimeSpan ExpiryBound => _session.Ttl;

    /// <summary>The lease the key was put under.</summary>
    internal long LeaseId => _session.LeaseId;

    /// <summary>True while neither lost nor disposed (a later registration of the id must wait for that).</summary>
    internal bool IsLive => Volatile.Read(ref _disposed) == 0 && !_session.IsLost;

    public async ValueTask UpdateAsync(string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (_session.IsLost) throw Lost("its session lease may have ended");
        var txn = Guarded(new RequestOp { RequestPut = new PutRequest { Key = _key, Value = ByteString.CopyFromUtf8(value), Lease = _session.LeaseId } });
        bool succeeded;
        try
        {
            succeeded = (await TxnAsync(txn, cancellationToken).ConfigureAwait(false)).Succeeded;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // "lease not found": the lease ended, and the key with it.
            succeeded = false;
        }
        if (succeeded) return;
        _session.MarkLost();
        throw Lost("its key is gone");
    }

    private InvalidOperationException Lost(string why)
        => new($"The directory registration {_key.ToStringUtf8()} is lost ({why}); nothing was written. Register again.");

    /// <summary>Deletes the key if it is still ours; the session (and its lease) stay with the store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (!_store.DirectoryRegistrations.TryRemove(_clientId, this)) return;
        try
        {
            if (!_store.IsDisposed) await DeleteAsync().ConfigureAwait(false);
        }
        finally
        {
            _store.DirectoryRegistrations.Release(_clientId);
        }
    }

    private async Task DeleteAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(_store.Connection.RequestTimeout * 2);
            await TxnAsync(Guarded(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = _key } }), cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or EtcdUnavailableException or OperationCanceledException or ObjectDisposedException)
        {
            // Unreachable: the key goes when the lease ends (the store's dispose revokes it).
            _store.Logger.LogDebug(ex, "Could not delete the directory registration {Key}; it ends with its lease", _key.ToStringUtf8());
        }
    }

    private TxnRequest Guarded(RequestOp op)
    {
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = _key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = _createRevision });
        // The lease too: a key taken over by a later registration of this store keeps its create revision, not its lease.
        txn.Compare.Add(new Compare { Key = _key, Target = Compare.Types.CompareTarget.Lease, Result = Compare.Types.CompareResult.Equal, Lease = _session.LeaseId });
        txn.Success.Add(op);
        return txn;
    }

    private Task<TxnResponse> TxnAsync(TxnRequest txn, CancellationToken ct)
        => _store.Connection.CallAsync((invoker, options) => new KV.KVClient(invoker).TxnAsync(txn, options).ResponseAsync, ct);
}
