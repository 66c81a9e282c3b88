using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Padlock.Etcd.Session;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// The line recipe (etcd's own lock, v3): every contender creates a key under the line's prefix, bound to its
/// session's lease; a <see cref="LinePolicy"/> decides from our place in create-revision order whether we hold or
/// what we watch (the lock: lowest holds, others watch the key just below theirs, so a release wakes one waiter, no
/// herd; a semaphore of N: the N keys nearest below ours, or past a cap the line's range), and waiters are served in
/// revision order. It sees the keys through <see cref="IEtcdLine"/> and its
/// store through <see cref="IEtcdLineHost"/> only; what differs per primitive is its <see cref="LineSpec"/>.
/// </summary>
internal static class EtcdMutex
{
    /// <summary>One acquire on the line <paramref name="spec"/> describes, through <paramref name="line"/>'s requests.</summary>
    public static async ValueTask<StoreLease?> TryAcquireAsync(IEtcdLineHost host, IEtcdLine line, LineSpec spec, string name, LockWait wait)
    {
        // Slots, keys and holds are numbered under the prefix our key lives in; the line's range may be another.
        var prefix = spec.OwnPrefix;
        var cancellationToken = wait.CancellationToken;
        if (wait.IsSingleAttempt && spec.Policy == LinePolicy.Exclusive && spec.KeyPrefix is null) return await TryOnceAsync(host, line, prefix, spec.Value, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            // Starting the session is connecting, not waiting for the lock: it is bounded by the connect timeout and
            // the caller's token, so an unreachable cluster is reported as such even when the wait is short.
            var session = await host.SessionAsync(cancellationToken).ConfigureAwait(false);
            var slot = session.Slots.Take(prefix);
            var key = LockKeys.KeyOf(prefix, session.LeaseId, slot);
            // The first request (create our key, read the line) is the attempt: only the caller (or a lost session)
            // cuts it short. Waiting behind a predecessor is bounded by the deadline too.
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.Lost);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, session.Lost);
            try
            {
                var revision = await QueueAsync(host, line, session, spec, key, !wait.IsSingleAttempt, attempt.Token, either.Token).ConfigureAwait(false);
                if (revision is null)
                {
                    // A single attempt that would have to wait: leave nothing behind.
                    await DeleteQuietlyAsync(line, session, prefix, slot, key).ConfigureAwait(false);
                    return null;
                }
                return await host.TrackAsync(new EtcdHold(host, line, session, prefix, slot, key, revision.Value)).ConfigureAwait(false);
            }
            catch (Grpc.Core.RpcException ex) when (IsLeaseGone(ex))
            {
                // The lease ended before our keep-alive noticed (revoked, or expired while we were cut off).
                session.MarkLost();
            }
            catch (KeyGoneException)
            {
                host.Logger.LogWarning("The etcd key {Key} was deleted while it waited for lock '{Name}'; queueing again", key.ToStringUtf8(), name);
                session.Slots.Free(prefix, slot);
            }
            catch (OperationCanceledException) when (wait.Token.IsCancellationRequested || session.IsLost)
            {
                // Leave nothing behind: our key would otherwise stand in the queue until the lease ends.
                await DeleteQuietlyAsync(line, session, prefix, slot, key).ConfigureAwait(false);
                // The deadline or the caller ended the wait: the core tells which.
                if (wait.Token.IsCancellationRequested) throw;
                // The session was lost while we waited (our key goes with its lease): queue again on a new session.
            }
            catch
            {
                await DeleteQuietlyAsync(line, session, prefix, slot, key).ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// TryAcquire with no wait, in one request that writes nothing unless it wins: create our key only if the lock's
    /// whole key range is empty.
    /// </summary>
    private static async ValueTask<StoreLease?> TryOnceAsync(IEtcdLineHost host, IEtcdLine line, ByteString prefix, ByteString value, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var session = await host.SessionAsync(cancellationToken).ConfigureAwait(false);
            var slot = session.Slots.Take(prefix);
            var key = LockKeys.KeyOf(prefix, session.LeaseId, slot);
            try
            {
                if (await line.CreateIfEmptyAsync(prefix, key, value, session.LeaseId, cancellationToken).ConfigureAwait(false) is { } revision)
                    return await host.TrackAsync(new EtcdHold(host, line, session, prefix, slot, key, revision)).ConfigureAwait(false);
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
                await DeleteQuietlyAsync(line, session, prefix, slot, key).ConfigureAwait(false);
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
    private static async Task<long?> QueueAsync(IEtcdLineHost host, IEtcdLine line, EtcdSession session, LineSpec spec, ByteString key, bool mayWait, CancellationToken first, CancellationToken ct)
    {
        var window = LineWindow.Size(spec.Policy);
        var read = await line.CreateAndReadAsync(spec.Prefix, key, spec.Value, session.LeaseId, window, spec.Check is null, first).ConfigureAwait(false);
        var mine = read.Mine;
        // Fewer than `window` keys below ours among the lowest `window`: then these are all the keys below ours.
        var lower = read.Lowest.Where(kv => kv.CreateRevision < mine).ToList();
        if (LineWindow.Decide(spec.Policy, lower.Count).Holds)
        {
            spec.Check?.Invoke(lower);
            return mine;
        }
        if (!mayWait) return null;
        // With a window of one (the lock, a writer, a reader over the write keys) the key to watch may have come with
        // the reply; a semaphore reads its window below ours next.
        Mvccpb.KeyValue? below = window == 1 ? read.Newest?.FirstOrDefault(kv => kv.CreateRevision < mine) : null;
        await PredecessorWait.UntilFirstAsync(host, line, new LinePlace(spec.Prefix, key, mine, spec.Policy, spec.Check), below, read.Revision, ct).ConfigureAwait(false);
        return mine;
    }

    private static async Task DeleteQuietlyAsync(IEtcdLine line, EtcdSession session, ByteString prefix, int slot, ByteString key)
    {
        try
        {
            await line.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
            session.Slots.Free(prefix, slot);
        }
        catch (Exception ex) when (ex is EtcdUnavailableException or Grpc.Core.RpcException or ObjectDisposedException)
        {
            // Unreachable: the key goes when the session's lease ends; its number stays taken until then.
        }
    }
}
