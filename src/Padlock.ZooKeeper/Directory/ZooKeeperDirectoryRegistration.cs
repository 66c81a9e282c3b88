using Microsoft.Extensions.Logging;
using Padlock.Sharding.Directory;
using Padlock.ZooKeeper.Locks;

namespace Padlock.ZooKeeper.Directory;

/// <summary>
/// A client's ephemeral node in the directory, in the store's session: the ensemble deletes it when the session expires.
/// It counts as lost on the same terms as a hold: the session ended, or nothing was heard from the ensemble past the
/// store's loss limit (a fraction of the session timeout), which reading <see cref="LostToken"/> checks first on the
/// monotonic clock. Writes go through the session that made the node (they fail once it expired) and only after reading
/// that the node is still that session's, naming the version read; so they never touch another session's node (short of
/// someone deleting ours by hand between that read and the write, which the directory itself never does).
/// </summary>
internal sealed class ZooKeeperDirectoryRegistration : IShardDirectoryRegistration
{
    private readonly ZooKeeperLockStore _store;
    private readonly LockSession _session;
    private readonly string _clientId;
    private readonly string _path;
    // Never disposed (it has no timer), so LostToken stays readable after the registration is disposed.
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenRegistration _sessionLoss;
    private int _disposed;

    public ZooKeeperDirectoryRegistration(ZooKeeperLockStore store, LockSession session, string clientId, string path)
    {
        _store = store;
        _session = session;
        _clientId = clientId;
        _path = path;
        _sessionLoss = session.LossToken.UnsafeRegister(static s => ((ZooKeeperDirectoryRegistration)s!).MarkLost(), this);
    }

    public CancellationToken LostToken
    {
        get
        {
            // A process resuming from a pause sees the silence here, before the session's timer has run.
            _session.CheckContact();
            return _lost.Token;
        }
    }

    public TimeSpan ExpiryBound => _session.Client.NegotiatedTimeout;

    /// <summary>True while neither lost nor disposed (a later registration of the id must wait for that).</summary>
    internal bool IsLive => Volatile.Read(ref _disposed) == 0 && !LostToken.IsCancellationRequested;

    public async ValueTask UpdateAsync(string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        if (LostToken.IsCancellationRequested) throw Lost("its session expired or was silent too long");
        var data = System.Text.Encoding.UTF8.GetBytes(value);
        try
        {
            // Through the session that made the node, which fails once that session expired; and only while the node is
            // this session's, at the version just read.
            var stat = await _session.Client.ExistsAsync(_path, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (stat is null || stat.EphemeralOwner != _session.Client.SessionId) throw new ZooKeeperException(ZooKeeperErrorCode.NoNode, $"{_path} is not this session's node.");
            await _session.Client.SetDataAsync(_path, data, stat.Version, cancellationToken).ConfigureAwait(false);
        }
        catch (ZooKeeperException ex) when (ex.Code is ZooKeeperErrorCode.NoNode or ZooKeeperErrorCode.BadVersion or ZooKeeperErrorCode.SessionExpired)
        {
            MarkLost();
            throw Lost($"its node is gone or changed: {ex.Code}");
        }
        catch (Exception ex) when (ZooKeeperUnavailable.Is(ex))
        {
            throw ZooKeeperUnavailable.Wrap(_store.Servers, ex);
        }
    }

    private void MarkLost()
    {
        try { _lost.Cancel(); } catch (ObjectDisposedException) { }
    }

    private InvalidOperationException Lost(string why)
        => new($"The directory registration {_path} is lost ({why}); nothing was written. Register again.");

    /// <summary>
    /// Deletes the node if it is still this session's and no later registration of this store took it over; the session
    /// stays with the store.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _sessionLoss.DisposeAsync().ConfigureAwait(false);
        if (!_store.DirectoryRegistrations.TryRemove(_clientId, this)) return;
        try
        {
            if (!_store.IsDisposed && _session.IsUsable) await DeleteAsync().ConfigureAwait(false);
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
            using var cts = new CancellationTokenSource(_session.Client.NegotiatedTimeout);
            var stat = await _session.Client.ExistsAsync(_path, cancellationToken: cts.Token).ConfigureAwait(false);
            if (stat is not null && stat.EphemeralOwner == _session.Client.SessionId)
                await _session.Client.DeleteAsync(_path, stat.Version, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ZooKeeperException or OperationCanceledException or ObjectDisposedException)
        {
            // Unreachable, or gone: the node ends with the session, and a new registration of this store takes it over.
            _store.Logger.LogDebug(ex, "Could not delete the directory registration {Path}; it ends with its session", _path);
        }
    }
}
