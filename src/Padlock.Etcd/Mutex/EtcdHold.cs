using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Padlock.Etcd.Session;
using Padlock.Etcd.Watching;
using Padlock.Stores;

namespace Padlock.Etcd.Mutex;

/// <summary>
/// A granted lock: our key, whose create revision is the fencing token. Lost when the session's lease may be gone, or
/// when the key is deleted (watched). Release deletes the key: exactly ours, never another holder's.
/// </summary>
internal sealed class EtcdHold : StoreLease
{
    // The deletion watch starts only if the hold lasts this long: most holds are shorter, and a watch started late
    // still sees a deletion made before it (it begins at our create revision), so nothing is missed, only reported later.
    internal static readonly TimeSpan WatchDelay = TimeSpan.FromMilliseconds(50);

    private readonly IEtcdLineHost _host;
    private readonly IEtcdLine _line;
    private readonly EtcdSession _session;
    private readonly ByteString _key;
    private readonly ByteString _lockPrefix;
    private readonly int _slot;
    private readonly Lock _gate = new(); // orders starting the watch against the release
    private readonly CancellationTokenRegistration _sessionLost;
    private readonly ITimer _startWatch;
    private KeyWatch? _watch;

    public EtcdHold(IEtcdLineHost host, IEtcdLine line, EtcdSession session, ByteString lockPrefix, int slot, ByteString key, long createRevision)
    {
        _host = host;
        _line = line;
        _session = session;
        _key = key;
        _lockPrefix = lockPrefix;
        _slot = slot;
        FencingToken = createRevision;
        _sessionLost = session.Lost.UnsafeRegister(static s => ((EtcdHold)s!).MarkLost(), this);
        _startWatch = host.Time.CreateTimer(static s => ((EtcdHold)s!).StartWatch(), this, WatchDelay, Timeout.InfiniteTimeSpan);
    }

    public override long FencingToken { get; }

    // Reading the session's token checks its lease deadline on the monotonic clock (which, through the registration,
    // marks this hold lost): a holder resuming from a pause past the TTL sees the loss before any timer has run.
    protected override void CheckDeadline() => _ = _session.Lost;

    internal string Key => _key.ToStringUtf8();

    /// <summary>Our key as stored (an election's proclaim writes it).</summary>
    internal ByteString KeyBytes => _key;

    /// <summary>The lease our key is bound to (a proclaim keeps the binding).</summary>
    internal long LeaseId => _session.LeaseId;

    private void StartWatch()
    {
        lock (_gate)
        {
            if (IsReleased || IsLost) return;
            var watch = _line.Watch(_key, FencingToken + 1);
            _watch = watch;
            _ = watch.Fired.ContinueWith(t => OnFiredAsync(t.Result), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task OnFiredAsync(WatchOutcome outcome)
    {
        if (IsReleased) return;
        if (outcome == WatchOutcome.Deleted)
        {
            MarkLost();
            return;
        }
        // The watch could not tell (history compacted, store closing): read the key itself.
        try
        {
            var now = await _line.GetAsync(_key, CancellationToken.None).ConfigureAwait(false);
            if (now is null || now.CreateRevision != FencingToken) MarkLost();
            else StartWatch();
        }
        catch (Exception ex)
        {
            _host.Logger.LogWarning(ex, "Could not check the etcd lock key {Key}; reporting the hold lost", Key);
            MarkLost();
        }
    }

    protected override async ValueTask ReleaseCoreAsync()
    {
        KeyWatch? watch;
        // A watch being started now sees IsReleased once we have the gate, so none starts after this.
        lock (_gate) watch = _watch;
        await _startWatch.DisposeAsync().ConfigureAwait(false);
        await _sessionLost.DisposeAsync().ConfigureAwait(false);
        if (watch is not null) _line.Cancel(watch);
        try
        {
            // Our own key only: after a loss it is either gone (a no-op) or still ours; another holder's key has another name.
            await _line.DeleteAsync(_key, CancellationToken.None).ConfigureAwait(false);
            _session.Slots.Free(_lockPrefix, _slot);
        }
        catch (Exception ex) when (ex is EtcdUnavailableException or Grpc.Core.RpcException or ObjectDisposedException)
        {
            // The session's lease is kept alive, so the key would outlive this release: keep deleting in the background
            // until the cluster answers or the session ends (which deletes it anyway).
            _host.Logger.LogWarning(ex, "Could not delete the etcd lock key {Key}; retrying in the background", Key);
            _ = DeleteLaterAsync();
        }
    }

    private async Task DeleteLaterAsync()
    {
        while (!_session.IsLost && !_host.IsDisposed)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), _host.Time).ConfigureAwait(false);
            try
            {
                await _line.DeleteAsync(_key, CancellationToken.None).ConfigureAwait(false);
                _session.Slots.Free(_lockPrefix, _slot);
                return;
            }
            catch (Exception ex) when (ex is EtcdUnavailableException or Grpc.Core.RpcException or ObjectDisposedException)
            {
                // still unreachable
            }
        }
    }
}
