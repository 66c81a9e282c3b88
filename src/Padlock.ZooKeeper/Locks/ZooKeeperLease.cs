using Padlock.Stores;
using Padlock.ZooKeeper.Client.Protocol;

namespace Padlock.ZooKeeper.Locks;

/// <summary>
/// A hold: our queue entry reached the head of the line. It is lost when the entry is deleted (by anyone but us), when
/// the session ends, or when the session's loss token fires (too long without contact). Release deletes the entry,
/// which is ours alone (its name carries our GUID), so it can never remove another holder's.
/// </summary>
internal sealed class ZooKeeperLease : StoreLease
{
    private readonly IZooKeeperLine _line;
    private readonly LockSession _session;
    private readonly CancellationTokenSource _stopWatching = new();
    private readonly CancellationTokenRegistration _sessionLoss;

    public ZooKeeperLease(IZooKeeperLine line, LockSession session, string leaf, long czxid)
    {
        _line = line;
        _session = session;
        Leaf = leaf;
        Path = line.PathOf(leaf);
        FencingToken = czxid;
        _sessionLoss = session.LossToken.UnsafeRegister(static s => ((ZooKeeperLease)s!).MarkLost(), this);
        _ = WatchAsync();
    }

    /// <summary>Our entry's full path.</summary>
    public string Path { get; }

    /// <summary>Our entry's name under the line's parent.</summary>
    public string Leaf { get; }

    /// <summary>The session our entry lives in (an election's proclaim writes through it).</summary>
    internal LockSession Session => _session;

    /// <summary>
    /// The data version of our entry as we last wrote it: 0 from the create, then what each election proclaim's
    /// setData returned, so the next one is refused if anyone else changed the entry meanwhile.
    /// </summary>
    internal int DataVersion { get; set; }

    /// <summary>The czxid of our entry: the zxid of the transaction that created it, above that of every earlier holder.</summary>
    public override long FencingToken { get; }

    // Reading it first asks the session whether the ensemble has been silent past the limit, on the monotonic clock:
    // a holder resuming from a pause sees the loss before the session's timer has run.
    protected override void CheckDeadline() => _session.CheckContact();

    /// <summary>
    /// Arms an exists watch on our entry, again after each data change. Not awaited by the acquire, so the hold costs
    /// no extra round trip; a deletion in between shows up as a missing node here.
    /// </summary>
    private async Task WatchAsync()
    {
        while (!IsReleased && !IsLost)
        {
            try
            {
                var stat = await _session.Client.ExistsAsync(Path, OnEvent).ConfigureAwait(false);
                if (stat is null || stat.Czxid != FencingToken) MarkLost();
                return;
            }
            catch (ZooKeeperException ex) when (ex.Code is ZooKeeperErrorCode.ConnectionLoss or ZooKeeperErrorCode.RequestTimeout)
            {
                // Try again once reconnected; the session's loss token covers the time without contact.
                try
                {
                    using var either = CancellationTokenSource.CreateLinkedTokenSource(LostToken, _stopWatching.Token);
                    await _session.Client.WaitConnectedAsync(Timeout.InfiniteTimeSpan, either.Token).ConfigureAwait(false);
                }
                catch (Exception) when (IsLost || IsReleased)
                {
                    return;
                }
                catch (ZooKeeperException)
                {
                    MarkLost();
                    return;
                }
            }
            catch (ZooKeeperException)
            {
                MarkLost();
                return;
            }
        }
    }

    private void OnEvent(WatchedEvent e)
    {
        switch (e.Type)
        {
            case WatchEventType.NodeDeleted:
            case WatchEventType.None: // the session expired or closed
                MarkLost();
                break;
            default:
                _ = WatchAsync(); // one-shot: re-arm after a data change
                break;
        }
    }

    protected override async ValueTask ReleaseCoreAsync()
    {
        _stopWatching.Cancel();
        await _sessionLoss.DisposeAsync().ConfigureAwait(false);
        await _line.DeleteAsync(_session, Leaf).ConfigureAwait(false);
    }
}
