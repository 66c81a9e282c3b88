using Etcdserverpb;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Padlock.Etcd.Session;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// The line recipe (etcd's own lock, v3): every contender creates a key under the line's prefix, bound to its
/// session's lease; a <see cref="LinePolicy"/> decides from our place in create-revision order whether we hold or
/// which single key we watch (the lock: lowest holds, others watch the key just below theirs), so a release wakes one
/// waiter (no herd) and waiters are served in revision order.
/// </summary>
internal static class EtcdMutex
{
    /// <summary>The exclusive lock <paramref name="name"/>.</summary>
    public static ValueTask<StoreLease?> TryAcquireAsync(EtcdLockStore store, string name, LockWait wait)
        => TryAcquireAsync(store, new LineSpec(LockKeys.PrefixOf(store.Prefix, name), LinePolicy.Exclusive, store.OwnerValue, null), name, wait);

    /// <summary>One acquire on the line <paramref name="line"/> describes.</summary>
    public static async ValueTask<StoreLease?> TryAcquireAsync(EtcdLockStore store, LineSpec line, string name, LockWait wait)
    {
        // Slots, keys and holds are numbered under the prefix our key lives in; the line's range may be another.
        var prefix = line.OwnPrefix;
        var cancellationToken = wait.CancellationToken;
        if (wait.IsSingleAttempt && line.Policy == LinePolicy.Exclusive && line.KeyPrefix is null) return await TryOnceAsync(store, prefix, line.Value, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            // Starting the session is connecting, not waiting for the lock: it is bounded by the connect timeout and
            // the caller's token, so an unreachable cluster is reported as such even when the wait is short.
            var session = await store.SessionAsync(cancellationToken).ConfigureAwait(false);
            var slot = session.Slots.Take(prefix);
            var key = LockKeys.KeyOf(prefix, session.LeaseId, slot);
            // The first request (create our key, read the line) is the attempt: only the caller (or a lost session)
            // cuts it short. Waiting behind a predecessor is bounded by the deadline too.
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.Lost);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, session.Lost);
            try
            {
                var revision = await QueueAsync(store, session, line, key, !wait.IsSingleAttempt, attempt.Token, either.Token).ConfigureAwait(false);
                if (revision is null)
                {
                    // A single attempt that would have to wait: leave nothing behind.
                    await DeleteQuietlyAsync(store, session, prefix, slot, key).ConfigureAwait(false);
                    return null;
                }
                return await store.TrackAsync(new EtcdHold(store, session, prefix, slot, key, revision.Value)).ConfigureAwait(false);
            }
            catch (Grpc.Core.RpcException ex) when (IsLeaseGone(ex))
            {
                // The lease ended before our keep-alive noticed (revoked, or expired while we were cut off).
                session.MarkLost();
            }
            catch (KeyGoneException)
            {
                store.Logger.LogWarning("The etcd key {Key} was deleted while it waited for lock '{Name}'; queueing again", key.ToStringUtf8(), name);
                session.Slots.Free(prefix, slot);
            }
            catch (OperationCanceledException) when (wait.Token.IsCancellationRequested || session.IsLost)
            {
                // Leave nothing behind: our key would otherwise stand in the queue until the lease ends.
                await DeleteQuietlyAsync(store, session, prefix, slot, key).ConfigureAwait(false);
                // The deadline or the caller ended the wait: the core tells which.
                if (wait.Token.IsCancellationRequested) throw;
                // The session was lost while we waited (our key goes with its lease): queue again on a new session.
            }
            catch
            {
                await DeleteQuietlyAsync(store, session, prefix, slot, key).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// TryAcquire with no wait, in one request that writes nothing unless it wins: create our key only if the lock's
    /// whole key range is empty (a compare on a range holds for every key in it, and for none when it is empty).
    /// </summary>
    private static async ValueTask<StoreLease?> TryOnceAsync(EtcdLockStore store, ByteString prefix, ByteString value, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var session = await store.SessionAsync(cancellationToken).ConfigureAwait(false);
            var slot = session.Slots.Take(prefix);
            var key = LockKeys.KeyOf(prefix, session.LeaseId, slot);
            var txn = new TxnRequest();
            txn.Compare.Add(new Compare { Key = prefix, RangeEnd = LockKeys.RangeEnd(prefix), Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = value, Lease = session.LeaseId } });
            try
            {
                var response = await store.TxnAsync(txn, cancellationToken).ConfigureAwait(false);
                if (response.Succeeded) return await store.TrackAsync(new EtcdHold(store, session, prefix, slot, key, response.Header.Revision)).ConfigureAwait(false);
                session.Slots.Free(prefix, slot);
                return null;
            }
            catch (Grpc.Core.RpcException ex) when (IsLeaseGone(ex) && attempt == 0)
            {
                session.MarkLost();
            }
            catch
            {
                // Unknown outcome (cancelled or unreachable mid-request): the key may have been created.
                await DeleteQuietlyAsync(store, session, prefix, slot, key).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>etcd's answer to a put bound to a lease it no longer has.</summary>
    private static bool IsLeaseGone(Grpc.Core.RpcException ex)
        => ex.StatusCode == Grpc.Core.StatusCode.NotFound && ex.Status.Detail.Contains("lease not found", StringComparison.Ordinal);

    /// <summary>
    /// Creates our key (bounded by <paramref name="first"/>) and, when <paramref name="mayWait"/>, waits until the policy
    /// says we hold (bounded by <paramref name="ct"/>); returns its create revision, or null when we would have to wait
    /// and may not.
    /// </summary>
    private static async Task<long?> QueueAsync(EtcdLockStore store, EtcdSession session, LineSpec line, ByteString key, bool mayWait, CancellationToken first, CancellationToken ct)
    {
        var prefix = line.Prefix;
        var window = LineWindow.Size(line.Policy);
        var end = LockKeys.RangeEnd(prefix);
        var txn = new TxnRequest();
        // Create our key unless a previous attempt of this same request already did (a retry on another member).
        txn.Compare.Add(new Compare { Key = key, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = key, Value = line.Value, Lease = session.LeaseId } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = key } });
        // In the same round trip: the current holders (lowest create revisions), so an uncontended acquire is one request...
        var owner = new RequestOp { RequestRange = new RangeRequest { Key = prefix, RangeEnd = end, SortTarget = RangeRequest.Types.SortTarget.Create, SortOrder = RangeRequest.Types.SortOrder.Ascend, Limit = window, KeysOnly = line.Check is null } };
        txn.Success.Add(owner);
        txn.Failure.Add(owner);
        // ...and the two newest keys (ours, just created, and the one below it), so a contended one needs no second read.
        txn.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = prefix, RangeEnd = end, SortTarget = RangeRequest.Types.SortTarget.Create, SortOrder = RangeRequest.Types.SortOrder.Descend, Limit = 2, KeysOnly = true } });
        var response = await store.TxnAsync(txn, first).ConfigureAwait(false);

        var mine = response.Succeeded ? response.Header.Revision : response.Responses[0].ResponseRange.Kvs[0].CreateRevision;
        // Fewer than `window` keys below ours among the lowest `window`: then these are all the keys below ours.
        var lower = response.Responses[1].ResponseRange.Kvs.Where(kv => kv.CreateRevision < mine).ToList();
        if (LineWindow.Decide(line.Policy, lower.Count).Holds)
        {
            line.Check?.Invoke(lower);
            return mine;
        }
        if (!mayWait) return null;
        // With a window of one (the lock, a writer, a reader over the write keys) the key to watch may have come with
        // the reply; a semaphore reads its window below ours next.
        Mvccpb.KeyValue? below = response.Succeeded && window == 1 ? response.Responses[2].ResponseRange.Kvs.FirstOrDefault(kv => kv.CreateRevision < mine) : null;
        await PredecessorWait.UntilFirstAsync(store, new LinePlace(prefix, end, key, mine, line.Policy, line.Check), below, response.Header.Revision, ct).ConfigureAwait(false);
        return mine;
    }

    private static async Task DeleteQuietlyAsync(EtcdLockStore store, EtcdSession session, ByteString prefix, int slot, ByteString key)
    {
        try
        {
            await store.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
            session.Slots.Free(prefix, slot);
        }
        catch (Exception ex) when (ex is EtcdUnavailableException or Grpc.Core.RpcException or ObjectDisposedException)
        {
            // Unreachable: the key goes when the session's lease ends; its number stays taken until then.
        }
    }
}
