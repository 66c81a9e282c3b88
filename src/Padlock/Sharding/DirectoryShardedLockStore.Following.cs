using Microsoft.Extensions.Logging;
using Padlock.Sharding.Directory;

namespace Padlock.Sharding;

// Following the map: register, then read (so a change begun after the registration sees this client), watch for newer
// maps, and report the oldest epoch this client may still grant or hold under. One Following per registration; a lost
// registration is replaced by a new one on the next use, never silently kept.
public sealed partial class DirectoryShardedLockStore
{
    /// <summary>How often the map is read even without a change notice (a lost watch costs at most this).</summary>
    private static readonly TimeSpan MapRecheck = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _startGate = new(1, 1);
    private readonly object _gate = new(); // guards every Following.View and _inUse
    private readonly Dictionary<long, int> _inUse = []; // epoch → acquires running or holds granted under it
    private Following? _following;
    private int _registrations;

    private async ValueTask<Following> FollowAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var current = Volatile.Read(ref _following);
        if (current is not null && !current.Registration.LostToken.IsCancellationRequested) return current;
        await _startGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
            current = _following;
            if (current is not null && !current.Registration.LostToken.IsCancellationRequested) return current;
            if (current is not null)
            {
                _logger.LogWarning("The registration in the shard directory {Directory} may have expired: this client granted nothing more and reported its holds lost; registering again.", _directory.Description);
                _following = null;
                await StopFollowingAsync(current).ConfigureAwait(false);
            }
            var started = await StartFollowingAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _following, started);
            return started;
        }
        finally
        {
            _startGate.Release();
        }
    }

    private async Task<Following> StartFollowingAsync(CancellationToken cancellationToken)
    {
        var clientId = $"{_clientIdBase}-{Interlocked.Increment(ref _registrations)}";
        var registration = await _directory.RegisterAsync(clientId, new ShardClientReport(clientId, 0, _context.OwnerDescription).ToJson(), cancellationToken)
            .ConfigureAwait(false);
        try
        {
            var entry = await _directory.ReadMapAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException(
                    $"The shard directory {_directory.Description} has no map yet: write the first one with `padlock shards apply --directory URI ID=STORE-URI...` (or ShardMapAdmin.ApplyAsync).");
            var following = new Following(clientId, registration, BuildView(ShardMap.Parse(entry.Document), entry.Version), _closing.Token);
            await ReportAsync(following, cancellationToken).ConfigureAwait(false);
            following.Loops = Task.WhenAll(Task.Run(() => WatchLoopAsync(following)), Task.Run(() => ReportLoopAsync(following)));
            return following;
        }
        catch
        {
            await DisposeQuietlyAsync(registration).ConfigureAwait(false);
            throw;
        }
    }

    private async ValueTask StopFollowingAsync(Following following)
    {
        await following.Stop.CancelAsync().ConfigureAwait(false);
        try
        {
            if (following.Loops is { } loops) await loops.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await DisposeQuietlyAsync(following.Registration).ConfigureAwait(false);
    }

    private async Task WatchLoopAsync(Following following)
    {
        var stop = following.Stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                ShardView view;
                lock (_gate) view = following.View;
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stop))
                {
                    wait.CancelAfter(MapRecheck);
                    try
                    {
                        await _directory.WaitForMapChangeAsync(view.Version, wait.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        // The periodic re-read: a watch that died quietly delays a change by at most MapRecheck.
                    }
                }
                var entry = await _directory.ReadMapAsync(stop).ConfigureAwait(false);
                if (entry is null || entry.Version == view.Version) continue;
                var map = ShardMap.Parse(entry.Document);
                if (map.Epoch <= view.Epoch) continue;
                Install(following, BuildView(map, entry.Version));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Reading the shard map from {Directory} failed; retrying.", _directory.Description);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), _context.TimeProvider, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Install(Following following, ShardView view)
    {
        ShardView old;
        lock (_gate)
        {
            old = following.View;
            following.View = view;
        }
        _logger.LogInformation("Shard map {Epoch} from {Directory}: {Map}", view.Epoch, _directory.Description, view.Map);
        // Waits begun under the old map start over under this one, so they stop holding this client at the old epoch.
        old.Supersede();
        following.RequestReport();
    }

    private async Task ReportLoopAsync(Following following)
    {
        var stop = following.Stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await following.ReportWanted.WaitAsync(MapRecheck, stop).ConfigureAwait(false);
                await ReportAsync(following, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Reporting this client's epoch to {Directory} failed; retrying.", _directory.Description);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), _context.TimeProvider, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async ValueTask ReportAsync(Following following, CancellationToken cancellationToken)
    {
        var oldest = OldestEpoch(following);
        if (oldest == following.Reported) return;
        await following.Registration.UpdateAsync(new ShardClientReport(following.ClientId, oldest, _context.OwnerDescription).ToJson(), cancellationToken)
            .ConfigureAwait(false);
        following.Reported = oldest;
    }

    /// <summary>The oldest epoch this client may still grant or hold under: the map's, or an older one still in use.</summary>
    private long OldestEpoch(Following following)
    {
        lock (_gate)
        {
            var oldest = following.View.Epoch;
            foreach (var epoch in _inUse.Keys) oldest = Math.Min(oldest, epoch);
            return oldest;
        }
    }

    /// <summary>Counts an acquire under the current map; the count stays with the hold it grants until released.</summary>
    private ShardView Enter(Following following)
    {
        lock (_gate)
        {
            var view = following.View;
            _inUse[view.Epoch] = _inUse.GetValueOrDefault(view.Epoch) + 1;
            return view;
        }
    }

    internal void Released(long epoch) => Leave(epoch);

    private void Leave(long epoch)
    {
        var following = Volatile.Read(ref _following);
        bool older;
        lock (_gate)
        {
            var left = _inUse[epoch] - 1;
            if (left == 0) _inUse.Remove(epoch);
            else _inUse[epoch] = left;
            // Only the end of the last use of an older epoch changes the report: no directory traffic in steady state.
            older = left == 0 && following is not null && epoch < following.View.Epoch;
        }
        if (older) following!.RequestReport();
    }

    private async ValueTask DisposeQuietlyAsync(IShardDirectoryRegistration registration)
    {
        try
        {
            await registration.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Removing a registration from {Directory} failed; it expires with its session.", _directory.Description);
        }
    }

    private sealed class Following(string clientId, IShardDirectoryRegistration registration, ShardView view, CancellationToken closing)
    {
        public string ClientId { get; } = clientId;

        public IShardDirectoryRegistration Registration { get; } = registration;

        public ShardView View { get; set; } = view; // under the store's _gate

        public CancellationTokenSource Stop { get; } = CancellationTokenSource.CreateLinkedTokenSource(closing);

        public SemaphoreSlim ReportWanted { get; } = new(0);

        public long Reported { get; set; } = -1;

        public Task? Loops { get; set; }

        public void RequestReport()
        {
            // One pending signal is enough: the loop reports the state it reads then, not the state at signal time.
            if (ReportWanted.CurrentCount == 0) ReportWanted.Release();
        }
    }
}
