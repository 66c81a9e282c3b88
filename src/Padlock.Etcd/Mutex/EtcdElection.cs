using System.Runtime.CompilerServices;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// Leader election on the lock's line, as etcd's concurrency.Election does it: a campaign is the exclusive line at
/// <c>PREFIX/#el/NAME/</c> whose key's value is the campaign value, so the leader is the key with the lowest create
/// revision and its term that revision. A proclaim is a put of our key guarded by its create revision (a txn), so it can
/// never write a key that is not ours or that was deleted and made again. Observers read the lowest key and watch the
/// whole prefix from the revision of that read, reading again at each event (or after <see cref="RecheckInterval"/>, so
/// a member that stops answering costs a short delay, not the observation).
/// </summary>
internal static class EtcdElection
{
    /// <summary>How long an observer waits on one watch stream before reading again without an event.</summary>
    internal static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(5);

    public static async ValueTask ProclaimAsync(IEtcdLine line, string name, StoreLease leadership, string value, CancellationToken cancellationToken)
    {
        var hold = (EtcdHold)leadership;
        bool succeeded;
        try
        {
            succeeded = await line.ReplaceAsync(hold.KeyBytes, hold.FencingToken, ByteString.CopyFromUtf8(value), hold.LeaseId, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            // "lease not found": our lease ended, and our key with it.
            succeeded = false;
        }
        if (succeeded) return;
        hold.MarkLost();
        throw new InvalidOperationException($"The leadership of election '{name}' (term {hold.FencingToken}) is no longer held: its key is gone; nothing was proclaimed.");
    }

    public static async ValueTask<LeaderInfo?> GetLeaderAsync(EtcdLockStore store, string name, CancellationToken cancellationToken)
        => (await ReadAsync(store, LockKeys.ElectionPrefixOf(store.Prefix, name), cancellationToken).ConfigureAwait(false)).Leader;

    public static async IAsyncEnumerable<LeaderInfo?> ObserveAsync(EtcdLockStore store, string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = LockKeys.ElectionPrefixOf(store.Prefix, name);
        while (!store.IsDisposed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (read, revision, leader) = await TryReadAsync(store, prefix, cancellationToken).ConfigureAwait(false);
            if (!read) continue;
            yield return leader;
            await WaitForChangeAsync(store, prefix, revision, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<(bool Read, long Revision, LeaderInfo? Leader)> TryReadAsync(EtcdLockStore store, ByteString prefix, CancellationToken cancellationToken)
    {
        try
        {
            var (revision, leader) = await ReadAsync(store, prefix, cancellationToken).ConfigureAwait(false);
            return (true, revision, leader);
        }
        catch (Exception ex) when (ex is EtcdUnavailableException or RpcException && !cancellationToken.IsCancellationRequested)
        {
            // Every member failed this once: wait a little and read again; an observation outlives an outage.
            store.Logger.LogDebug(ex, "Could not read the election {Prefix}; reading again", prefix.ToStringUtf8());
            await Task.Delay(TimeSpan.FromMilliseconds(500), store.Time, cancellationToken).ConfigureAwait(false);
            return (false, 0, null);
        }
        catch (ObjectDisposedException)
        {
            // The store was disposed: the loop sees it and ends the observation.
            return (false, 0, null);
        }
    }

    /// <summary>The lowest key of the line (the leader) and the revision of the read.</summary>
    private static async Task<(long Revision, LeaderInfo? Leader)> ReadAsync(EtcdLockStore store, ByteString prefix, CancellationToken cancellationToken)
    {
        var request = new RangeRequest
        {
            Key = prefix,
            RangeEnd = LockKeys.RangeEnd(prefix),
            SortTarget = RangeRequest.Types.SortTarget.Create,
            SortOrder = RangeRequest.Types.SortOrder.Ascend,
            Limit = 1,
        };
        var response = await store.Connection.CallAsync(
            (invoker, options) => new KV.KVClient(invoker).RangeAsync(request, options).ResponseAsync, cancellationToken).ConfigureAwait(false);
        var head = response.Kvs.FirstOrDefault();
        return (response.Header.Revision, head is null ? null : new LeaderInfo(head.Value.ToStringUtf8(), head.CreateRevision));
    }

    /// <summary>
    /// Watches the line's range from the revision after <paramref name="revision"/> (so nothing since the read is
    /// missed) until an event arrives, the stream fails, or <see cref="RecheckInterval"/> passes.
    /// </summary>
    private static async Task WaitForChangeAsync(EtcdLockStore store, ByteString prefix, long revision, CancellationToken cancellationToken)
    {
        var (invoker, index) = store.Connection.Current;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(RecheckInterval);
        try
        {
            using var call = new Watch.WatchClient(invoker).Watch(cancellationToken: bounded.Token);
            var create = new WatchCreateRequest { Key = prefix, RangeEnd = LockKeys.RangeEnd(prefix), StartRevision = revision + 1 };
            await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, bounded.Token).ConfigureAwait(false);
            while (await call.ResponseStream.MoveNext(bounded.Token).ConfigureAwait(false))
            {
                var response = call.ResponseStream.Current;
                if (response.Canceled) return; // compacted or refused: read again
                if (response.Events.Count > 0) return;
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is OperationCanceledException or RpcException or ObjectDisposedException)
        {
            if (ex is RpcException rpc && rpc.StatusCode != StatusCode.Cancelled && !bounded.IsCancellationRequested)
            {
                // The member failed the stream: the next read and stream go to the next one.
                store.Connection.MoveOn(index);
            }
        }
    }
}
