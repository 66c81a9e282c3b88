using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Padlock.Sharding.Directory;

namespace Padlock.Etcd.Directory;

/// <summary>
/// The shard directory of an etcd store (see <see cref="DirectoryKeys"/> for its keys). Reads are plain ranges, which
/// etcd serves linearizably (through the leader's read index) unless asked for a serializable read; the map's version is
/// its key's mod revision, and a write is a txn comparing it. Registrations are keys under the store's session lease.
/// </summary>
internal sealed class EtcdShardDirectory : IShardDirectory
{
    /// <summary>How long one watch stream is trusted without an event before the map is read again (a silent member is caught by it).</summary>
    internal static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(5);

    private readonly EtcdLockStore _store;
    private readonly ByteString _map;
    private readonly ByteString _clients;
    private int _disposed;

    public EtcdShardDirectory(EtcdLockStore store)
    {
        _store = store;
        _map = DirectoryKeys.Map(store.Prefix);
        _clients = DirectoryKeys.Clients(store.Prefix);
    }

    public string Description => $"etcd://{string.Join(",", _store.Endpoints)} key {_map.ToStringUtf8()}";

    public async ValueTask<ShardDirectoryEntry?> ReadMapAsync(CancellationToken cancellationToken)
    {
        var kv = (await RangeAsync(new RangeRequest { Key = _map }, cancellationToken).ConfigureAwait(false)).Kvs.FirstOrDefault();
        return kv is null ? null : new ShardDirectoryEntry(kv.Value.ToStringUtf8(), kv.ModRevision);
    }

    /// <remarks>
    /// One txn: compare the key's mod revision with <paramref name="expectedVersion"/> (its create revision with 0 when
    /// null: absent), then put it without a lease. A request whose answer was lost is sent again by the connection; when
    /// the first had been applied, the second reports false, and the caller's next read shows the document it wrote.
    /// </remarks>
    public async ValueTask<bool> TryWriteMapAsync(string document, long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (expectedVersion is <= 0)
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "The expected version is a mod revision read from this directory (positive), or null for \"no map yet\".");
        Check();
        var txn = new TxnRequest();
        txn.Compare.Add(expectedVersion is { } v
            ? new Compare { Key = _map, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = v }
            : new Compare { Key = _map, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = _map, Value = ByteString.CopyFromUtf8(document) } });
        return (await TxnAsync(txn, cancellationToken).ConfigureAwait(false)).Succeeded;
    }

    /// <remarks>
    /// A watch of the map key from the revision after <paramref name="knownVersion"/> (for "no map": after a read that
    /// found none), on a stream of its own; etcd replays any change made since, so none is missed. A stream quiet for
    /// <see cref="RecheckInterval"/> is closed and the key read again, so a member that stops answering costs a delay,
    /// not the wait; a compacted history ends the wait (the caller reads again).
    /// </remarks>
    public async ValueTask WaitForMapChangeAsync(long? knownVersion, CancellationToken cancellationToken)
    {
        Check();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var read = await RangeAsync(new RangeRequest { Key = _map, KeysOnly = true }, cancellationToken).ConfigureAwait(false);
            var current = read.Kvs.FirstOrDefault()?.ModRevision;
            if (current != knownVersion) return;
            // From the revision after the one our read saw: whatever changes the key after it is replayed.
            if (await WatchOnceAsync(read.Header.Revision + 1, cancellationToken).ConfigureAwait(false)) return;
        }
    }

    /// <summary>True when an event (or a cancelled watch) arrived; false when the stream stayed quiet or failed.</summary>
    private async Task<bool> WatchOnceAsync(long fromRevision, CancellationToken cancellationToken)
    {
        var (invoker, index) = _store.Connection.Current;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(RecheckInterval);
        try
        {
            using var call = new Watch.WatchClient(invoker).Watch(cancellationToken: bounded.Token);
            var create = new WatchCreateRequest { Key = _map, StartRevision = fromRevision };
            await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, bounded.Token).ConfigureAwait(false);
            while (await call.ResponseStream.MoveNext(bounded.Token).ConfigureAwait(false))
            {
                var response = call.ResponseStream.Current;
                if (response.Canceled || response.Events.Count > 0) return true;
            }
            return false;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is OperationCanceledException or RpcException)
        {
            // The member failed the stream: the next read and stream go to the next one.
            if (ex is RpcException rpc && rpc.StatusCode != StatusCode.Cancelled && !bounded.IsCancellationRequested) _store.Connection.MoveOn(index);
            return false;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled)
        {
            throw new OperationCanceledException("The wait for a map change was cancelled.", ex, cancellationToken);
        }
    }

    /// <remarks>
    /// A txn that puts <c>PREFIX/#shards/clients/ID</c> under the store's session lease only if the key is absent
    /// (create revision 0): an entry of a live client (its lease alive) is never overwritten. A key under a lease of this
    /// store that no live registration holds (one lost with its session, or whose delete failed) is taken over by a txn
    /// comparing its lease, so the id is free again at once rather than when that lease ends.
    /// </remarks>
    public async ValueTask<IShardDirectoryRegistration> RegisterAsync(string clientId, string value, CancellationToken cancellationToken)
    {
        ClientIds.Validate(clientId, nameof(clientId));
        ArgumentNullException.ThrowIfNull(value);
        Check();
        if (!_store.DirectoryRegistrations.TryReserve(clientId, out var previous)) throw Taken(clientId, "by this same store");
        EtcdDirectoryRegistration? registration = null;
        try
        {
            registration = await RegisterCoreAsync(clientId, ByteString.CopyFromUtf8(value), previous, cancellationToken).ConfigureAwait(false);
            return registration;
        }
        finally
        {
            _store.DirectoryRegistrations.Complete(clientId, registration, previous);
        }
    }

    private async Task<EtcdDirectoryRegistration> RegisterCoreAsync(string clientId, ByteString value, EtcdDirectoryRegistration? previous, CancellationToken cancellationToken)
    {
        var key = DirectoryKeys.Client(_store.Prefix, clientId);
        var session = await _store.SessionAsync(cancellationToken).ConfigureAwait(false);
        var absent = new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 };
        TxnResponse response;
        // A few rounds: a key of ours may vanish (its lease revoked) between the two txns, which the next round sees.
        for (var round = 0; ; round++)
        {
            response = await PutAsync(key, value, session, absent, cancellationToken).ConfigureAwait(false);
            if (response.Succeeded) break;
            var other = response.Responses[0].ResponseRange.Kvs.FirstOrDefault();
            if (other is null || (other.Lease != session.LeaseId && other.Lease != previous?.LeaseId) || round == 2)
                throw Taken(clientId, $"under lease {other?.Lease:x}");
            // Under a lease of ours that no live registration holds: move it to the live lease, if it is still there.
            var ours = new Compare { Key = key, Target = Compare.Types.CompareTarget.Lease, Result = Compare.Types.CompareResult.Equal, Lease = other.Lease };
            response = await PutAsync(key, value, session, ours, cancellationToken).ConfigureAwait(false);
            if (response.Succeeded) break;
        }
        return new EtcdDirectoryRegistration(_store, session, clientId, key, CreateRevisionOf(response));
    }

    // The txn's put answers with no create revision; the range after it in the same txn has it.
    private static long CreateRevisionOf(TxnResponse response) => response.Responses[1].ResponseRange.Kvs[0].CreateRevision;

    private async Task<TxnResponse> PutAsync(ByteString key, ByteString value, Session.EtcdSession session, Compare guard, CancellationToken cancellationToken)
    {
        var txn = new TxnRequest();
        txn.Compare.Add(guard);
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = value, Lease = session.LeaseId } });
        txn.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = key } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = key } });
        try
        {
            return await TxnAsync(txn, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // "lease not found": the session ended as we used it.
            session.MarkLost();
            throw new InvalidOperationException($"The registration of {key.ToStringUtf8()} in {Description} found the store's session lease ended; try again.", ex);
        }
    }

    private InvalidOperationException Taken(string clientId, string how)
        => new($"A client is already registered as '{clientId}' in {Description} ({how}); an id is registered once at a time: pick another, or wait for that lease to end.");

    public async ValueTask<IReadOnlyList<ShardDirectoryClient>> ReadClientsAsync(CancellationToken cancellationToken)
    {
        var response = await RangeAsync(new RangeRequest { Key = _clients, RangeEnd = Mutex.LockKeys.RangeEnd(_clients) }, cancellationToken).ConfigureAwait(false);
        var prefixLength = _clients.Length;
        return [.. response.Kvs.Select(kv => new ShardDirectoryClient(System.Text.Encoding.UTF8.GetString(kv.Key.Span[prefixLength..]), kv.Value.ToStringUtf8()))];
    }

    private Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken ct)
    {
        Check();
        // Not serializable: etcd confirms with the leader that it is current before answering, so the read is linearizable.
        return _store.Connection.CallAsync((invoker, options) => new KV.KVClient(invoker).RangeAsync(request, options).ResponseAsync, ct);
    }

    private Task<TxnResponse> TxnAsync(TxnRequest txn, CancellationToken ct)
        => _store.Connection.CallAsync((invoker, options) => new KV.KVClient(invoker).TxnAsync(txn, options).ResponseAsync, ct);

    private void Check()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        ObjectDisposedException.ThrowIf(_store.IsDisposed, _store);
    }

    /// <summary>Nothing of its own to close: the connection and the session belong to the store, and registrations end on their own dispose.</summary>
    public ValueTask DisposeAsync()
    {
        Volatile.Write(ref _disposed, 1);
        return ValueTask.CompletedTask;
    }
}
