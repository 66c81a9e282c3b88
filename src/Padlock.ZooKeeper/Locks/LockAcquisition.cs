using Microsoft.Extensions.Logging;
using Padlock.Stores;

namespace Padlock.ZooKeeper.Locks;

/// <summary>
/// One acquire, the ZooKeeper line recipe: create an ephemeral sequential entry named with our GUID, list the line,
/// and let the <see cref="LinePolicy"/> decide: hold now, or watch the entries below ours that it names and look again
/// when one goes. The exclusive lock holds when first and watches the entry just before ours (no herd); a reader-writer
/// lock likewise watches one entry (a writer as the lock; a reader holds with no write entry below it and watches the
/// nearest one). A semaphore of N watches the N entries nearest below ours, all armed at once, since a holder may
/// release out of line order; past <see cref="LinePolicy.WatchCap"/> permits it watches the line's children instead.
/// A connection loss while creating is resolved by looking for our GUID after reconnecting, never by creating blindly;
/// giving up (timeout, cancellation, failure) deletes whatever entry we may have. A session that expires takes our
/// entry with it: the acquisition starts over on the store's new session. The timeout bounds the waiting only.
/// It sees its entries through <see cref="IZooKeeperLine"/> and its store through <see cref="IZooKeeperLineHost"/> only;
/// what differs per primitive is its <see cref="LineRules"/>.
/// </summary>
internal sealed class LockAcquisition
{
    private readonly IZooKeeperLineHost _host;
    private readonly IZooKeeperLine _line;
    private readonly string _prefix;
    private readonly byte[] _owner;
    private readonly LinePolicy _policy;
    private readonly Action<List<string>>? _checkLine;
    private LockSession _session;
    private string? _ours;
    private long _czxid;
    private bool _createInDoubt;
    // What the last decision said to watch: the entries, or (with _watchesLine) the whole line, with the entry the
    // policy counts from (the one a re-check looks at for an orphan).
    private List<string> _watched = [];
    private bool _watchesLine;

    private readonly LockWait _wait;
    // Set once one attempt has run to its end (our entry listed in the line): from then on we are waiting.
    private bool _attempted;

    private LockAcquisition(IZooKeeperLineHost host, LockSession session, IZooKeeperLine line, byte[] owner, LockWait wait, LineRules rules)
    {
        _policy = rules.Policy;
        _checkLine = rules.CheckLine;
        _host = host;
        _session = session;
        _line = line;
        _owner = owner;
        _wait = wait;
        _prefix = rules.EntryPrefix;
    }

    /// <summary>
    /// Runs one acquire. When the wait ends (deadline or cancellation) or anything fails, whatever entry we may have
    /// is deleted and the exception goes on: the core reports a passed deadline as "not acquired".
    /// </summary>
    /// <param name="host">The store's session, clock, log, entry register and holds.</param>
    /// <param name="line">The line's entries.</param>
    /// <param name="owner">Our entry's data.</param>
    /// <param name="wait">The deadline and cancellation.</param>
    /// <param name="rules">The policy, our entry's name prefix, a check of the line.</param>
    public static async Task<StoreLease?> RunAsync(IZooKeeperLineHost host, IZooKeeperLine line, byte[] owner, LockWait wait, LineRules rules)
    {
        // Connecting is not waiting for the lock: the session start is bounded by the connect timeout (and the
        // caller's cancellation), never by the wait, so a tiny timeout still makes its one attempt.
        var session = await host.GetSessionAsync(wait.CancellationToken).ConfigureAwait(false);
        var run = new LockAcquisition(host, session, line, owner, wait, rules);
        using var acquiring = host.BeginAcquisition(run._prefix);
        try
        {
            var lease = await run.LoopAsync().ConfigureAwait(false);
            if (lease is null)
            {
                await run.AbandonAsync().ConfigureAwait(false);
                return null;
            }
            // Held before the acquisition's prefix is forgotten: the entry is never unowned in between.
            return await host.AdmitAsync(lease).ConfigureAwait(false);
        }
        catch
        {
            await run.AbandonAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The token of our requests: a positive timeout bounds the waiting, never the first attempt (connect, create,
    /// list), which only the caller can cut short; a zero timeout is that one attempt.
    /// </summary>
    private CancellationToken Requests => _attempted && !_wait.IsSingleAttempt ? _wait.Token : _wait.CancellationToken;

    /// <summary>True while the wait may go on: no timeout, or some of it left.</summary>
    private bool TimeLeft => _wait.IsInfinite || (!_wait.IsSingleAttempt && _wait.Remaining > TimeSpan.Zero);

    private enum Recovery { None, Reconnect, NewSession }

    private async Task<ZooKeeperLease?> LoopAsync()
    {
        if (_wait.IsSingleAttempt && !WouldHoldBehind(LockNodeNames.Queue(await _line.ListAsync(_session, Requests).ConfigureAwait(false))))
        {
            // The line is too long to hold at once: fail without creating anything.
            return null;
        }
        var recovery = Recovery.None;
        while (true)
        {
            // Outside the try: a new session that cannot be had in time ends the acquire (null past the deadline,
            // the connect error otherwise), rather than being retried here forever.
            if (recovery == Recovery.NewSession) await NewSessionAsync().ConfigureAwait(false);
            try
            {
                // Inside the try: the reconnect may be refused because the session expired meanwhile, and that is
                // handled below like any other expiry (it once escaped from a catch block and killed the wait).
                if (recovery == Recovery.Reconnect && !await ReconnectedAsync().ConfigureAwait(false)) return null;
                recovery = Recovery.None;
                var lease = await AttemptAsync().ConfigureAwait(false);
                if (lease is not null) return lease;
                if (!TimeLeft) return null;
                await WaitForPredecessorAsync().ConfigureAwait(false);
            }
            catch (ZooKeeperException ex) when (ex.Code is ZooKeeperErrorCode.ConnectionLoss or ZooKeeperErrorCode.RequestTimeout)
            {
                // Outcome unknown; the session may live on. Wait for the reconnect and look again.
                recovery = Recovery.Reconnect;
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.SessionExpired)
            {
                // Our entry, if any, went with the session. Start over on a new one.
                _host.Logger.LogInformation("Session 0x{Session:x} expired while acquiring under {Parent}: starting over on a new session", _session.Client.SessionId, _line.Parent);
                _ours = null;
                _createInDoubt = false;
                recovery = Recovery.NewSession;
            }
        }
    }

    /// <summary>True once reconnected, false when the time ran out first; throws SessionExpired when the session ended.</summary>
    private Task<bool> ReconnectedAsync()
        => _wait.IsSingleAttempt
            ? _session.Client.WaitConnectedAsync(TimeSpan.Zero, _wait.CancellationToken)
            : _session.Client.WaitConnectedAsync(_wait.Remaining, _wait.Token);

    /// <summary>The store's new session after ours expired; an unreachable ensemble is tried again while time is left.</summary>
    private async Task NewSessionAsync()
    {
        while (true)
        {
            try
            {
                _session = await _host.GetSessionAsync(Requests).ConfigureAwait(false);
                return;
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.ConnectionLoss && TimeLeft)
            {
                _host.Logger.LogDebug("No new ZooKeeper session yet ({Error}); trying again", ex.Message);
            }
        }
    }

    /// <summary>
    /// Makes sure we stand in line and looks at it: the lease when we are first, else null (then we must wait for
    /// <see cref="WaitForPredecessorAsync"/>).
    /// </summary>
    private async Task<ZooKeeperLease?> AttemptAsync()
    {
        while (true)
        {
            List<string>? children = null;
            if (_ours is null)
            {
                if (_createInDoubt) await FindOursAsync(Requests).ConfigureAwait(false);
                if (_ours is null && (children = await CreateAndListAsync(Requests).ConfigureAwait(false)) is null) continue;
            }
            var line = LockNodeNames.Queue(children ?? await _line.ListAsync(_session, Requests).ConfigureAwait(false));
            var leaf = _ours!;
            // Another entry with our GUID is a duplicate from an earlier attempt of this acquisition: it would
            // stand in line, unowned, until the session ends. Take it out.
            foreach (var duplicate in line.Where(e => e != leaf && e.StartsWith(_prefix, StringComparison.Ordinal)).ToList())
            {
                await _line.DeleteAsync(_session, duplicate).ConfigureAwait(false);
                line.Remove(duplicate);
            }
            var at = line.IndexOf(leaf);
            if (at < 0)
            {
                // Not in the listing. The listing can predate our create (a request that waited for a reconnect
                // can be overtaken by the one sent after it), so ask for the entry itself before queueing again.
                if (await _line.StatAsync(_session, leaf, Requests).ConfigureAwait(false) is not null) continue;
                // Gone (deleted by someone else): queue again at the back.
                _ours = null;
                continue;
            }
            _attempted = true;
            _checkLine?.Invoke(line);
            // A counting policy needs our place only; a reader's needs the kinds of the entries below ours.
            var decision = _policy.IsShared ? _policy.Decide(LockNodeNames.Modes(line, at)) : _policy.Decide(at);
            if (decision.Holds) return new ZooKeeperLease(_line, _session, leaf, _czxid);
            _watchesLine = decision.WatchesLine;
            _watched = decision.WatchesLine ? [line[decision.WatchIndex]] : line.GetRange(decision.WatchIndex, decision.WatchCount);
            return null;
        }
    }

    private bool WouldHoldBehind(List<string> line)
        => _policy.IsShared ? _policy.WouldHoldBehind(LockNodeNames.Modes(line, line.Count)) : _policy.WouldHoldBehind(line.Count);

    /// <summary>
    /// Waits until one of the entries the policy named goes, or the line changes when it watches the line (or a re-check
    /// is due); the loop then looks again. Each wait arms its own one-shot watches and completes its own signal, so a
    /// watch of an earlier wait that fires late only completes a signal nobody awaits any more.
    /// </summary>
    private async Task WaitForPredecessorAsync()
    {
        if (_watchesLine)
        {
            await WaitForLineAsync().ConfigureAwait(false);
            return;
        }
        var watched = _watched;
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Sent together, answered in order on the session: one round trip for all of them.
        var armed = await Task.WhenAll(watched.Select(entry => _line.WatchAsync(_session, entry, () => gone.TrySetResult(), Requests))).ConfigureAwait(false);
        if (armed.Contains(false)) return;
        await WaitOrRecheckAsync(gone.Task, watched).ConfigureAwait(false);
    }

    /// <summary>
    /// A semaphore of more permits than a waiter watches one by one: a child watch on the line, armed by the listing that
    /// shows we still wait, so no change after that listing goes unseen. Any change wakes it (arrivals behind ours too);
    /// it lists again and, while we still wait, arms the next watch with that same request.
    /// </summary>
    private async Task WaitForLineAsync()
    {
        while (true)
        {
            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var line = LockNodeNames.Queue(await _line.WatchChildrenAsync(_session, () => changed.TrySetResult(), Requests).ConfigureAwait(false));
            var at = line.IndexOf(_ours!);
            // Gone, or may hold now: the loop's attempt lists, checks and decides.
            if (at < 0) return;
            var decision = _policy.Decide(at);
            if (decision.Holds) return;
            if (!await WaitOrRecheckAsync(changed.Task, [line[decision.WatchIndex]]).ConfigureAwait(false)) return;
        }
    }

    /// <summary>
    /// Waits for <paramref name="woken"/> or the re-check; true when woken. The watch is the wake-up; a bounded re-check
    /// behind it means a watch lost in a failover (or an entry ahead of us that nobody will ever delete) costs a short
    /// delay and a log line, never the whole timeout.
    /// </summary>
    private async Task<bool> WaitOrRecheckAsync(Task woken, IReadOnlyList<string> entries)
    {
        var woke = await Task.WhenAny(woken, Task.Delay(_host.RecheckInterval, _host.Time, _wait.Token)).ConfigureAwait(false);
        _wait.Token.ThrowIfCancellationRequested();
        if (woke == woken) return true;
        foreach (var entry in entries) await CheckPredecessorAsync(entry, Requests).ConfigureAwait(false);
        return false;
    }

    /// <summary>How often a waiter looks at the line even without a watch event (the default of <see cref="IZooKeeperLineHost.RecheckInterval"/>).</summary>
    internal static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(2);

    // No event for a while. An entry of our own session that no acquisition or hold of this store knows is an orphan
    // (a create whose reply was lost and whose retry made a second entry): nobody else can delete it before the session
    // ends, so we do. Anything else: the loop lists the line again.
    private async Task CheckPredecessorAsync(string predecessor, CancellationToken requests)
    {
        var stat = await _line.StatAsync(_session, predecessor, requests).ConfigureAwait(false);
        if (stat is null || stat.EphemeralOwner != _session.Client.SessionId) return;
        if (_host.IsLiveEntry(predecessor)) return;
        _host.Logger.LogWarning("Deleting {Path}: an entry of this session that no acquisition or hold owns", _line.PathOf(predecessor));
        await _line.DeleteAsync(_session, predecessor).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates our entry and lists the line in one round trip. Null when the parent was missing (it has been created
    /// since; try again). The create stays in doubt until it answers.
    /// </summary>
    private async Task<List<string>?> CreateAndListAsync(CancellationToken requests)
    {
        _createInDoubt = true;
        var created = await _line.CreateAndListAsync(_session, _prefix, _owner, requests).ConfigureAwait(false);
        _createInDoubt = false;
        if (created is not { } c)
        {
            await _line.EnsureParentAsync(_session, requests).ConfigureAwait(false);
            return null;
        }
        _ours = c.Leaf;
        _czxid = c.Czxid;
        return c.Children;
    }

    /// <summary>After a create of unknown outcome: our entry is the child carrying our GUID, if any.</summary>
    private async Task FindOursAsync(CancellationToken requests)
    {
        // The server we reconnected to may lag the leader: it only promises to have seen what this client saw, and the
        // reply to our create never arrived. Without the sync it can list the line before it applies our committed
        // create; we would then queue a second entry, and the first would appear later as an orphan at the head of
        // the line that nobody ever deletes (seen with the leader stopped mid-create).
        await _line.SyncAsync(_session, requests).ConfigureAwait(false);
        foreach (var child in await _line.ListAsync(_session, requests).ConfigureAwait(false))
        {
            if (!child.StartsWith(_prefix, StringComparison.Ordinal)) continue;
            var stat = await _line.StatAsync(_session, child, requests).ConfigureAwait(false);
            if (stat is null) continue;
            if (stat.EphemeralOwner == _session.Client.SessionId)
            {
                _ours = child;
                _czxid = stat.Czxid;
            }
            else
            {
                // Made by an earlier session of ours: not a valid place in line.
                await _line.DeleteAsync(_session, child).ConfigureAwait(false);
            }
        }
        _createInDoubt = false;
    }

    /// <summary>Leaves the line: deletes our entry, or finds and deletes it when its create was in doubt.</summary>
    private async Task AbandonAsync()
    {
        if (_ours is null && !_createInDoubt) return;
        var ours = _ours;
        var inDoubt = _createInDoubt;
        _ours = null;
        _createInDoubt = false;
        if (ours is not null)
        {
            await _line.DeleteAsync(_session, ours).ConfigureAwait(false);
            return;
        }
        if (inDoubt) _line.DeleteInDoubt(_session, _prefix);
    }
}
