using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Padlock.Stores;

/// <summary>
/// Keeps a lease alive for stores whose holds expire (Redis): renews it on a cadence well inside the lease, and
/// cancels the lost token before the lease can run out when renewals fail, or at once when the store says the
/// hold is someone else's. Runs on one timer per hold, never blocking a thread-pool thread; a hold released before
/// its first renewal costs that timer and nothing else (no task, no thread-pool work).
/// </summary>
/// <remarks>
/// The deadline is one safety margin before the lease would end, moved on after each successful renewal from the time
/// that renewal was sent. The timer is never due later than the deadline: while a renewal is in flight it is armed for
/// the deadline itself, so even a renewal call that hangs cannot keep the holder believing in a lease the store has
/// already dropped.
/// A timer fires late when the process was paused (a GC pause, SIGSTOP, a VM migration): reading <see cref="LostToken"/>
/// therefore also compares the deadline with the monotonic clock, so a holder that resumes past its lease sees the
/// loss on its first look, before the timer has had a chance to run.
/// </remarks>
public sealed class LeaseRenewal : IAsyncDisposable
{
    private readonly Func<CancellationToken, ValueTask<bool>> _renew;
    private readonly TimeSpan _lease;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _retry;
    private readonly TimeSpan _margin;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly Lock _gate = new();
    private readonly ITimer _timer;
    private long _deadline; // the monotonic timestamp at which the hold counts as lost, unless renewed before
    private bool _stopped;
    private CancellationTokenSource? _renewing; // the renewal in flight: cancelled by a stop or a loss
    private TaskCompletionSource? _renewed; // completes when the renewal in flight has finished

    /// <summary>Starts renewing. The lease is taken to have started at <paramref name="grantedAt"/> (a <see cref="TimeProvider.GetTimestamp"/> value taken before the acquire request was sent).</summary>
    /// <param name="lease">The lease length the store applies on each grant or renewal.</param>
    /// <param name="interval">How often to renew; must be shorter than <paramref name="lease"/> minus <paramref name="margin"/>.</param>
    /// <param name="margin">How long before the lease's end the hold counts as lost (allows for clock drift and latency).</param>
    /// <param name="grantedAt">When the request that granted the lease was sent.</param>
    /// <param name="renew">Extends the lease; returns false when the store says the hold is no longer ours. Throwing means "unknown, try again".</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">Where renewal failures are logged.</param>
    public LeaseRenewal(TimeSpan lease, TimeSpan interval, TimeSpan margin, long grantedAt,
        Func<CancellationToken, ValueTask<bool>> renew, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), lease, "The lease must be positive.");
        if (margin < TimeSpan.Zero || margin >= lease) throw new ArgumentOutOfRangeException(nameof(margin), margin, "The margin must be at least zero and shorter than the lease.");
        if (interval <= TimeSpan.Zero || interval >= lease - margin)
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The renewal interval must be positive and shorter than the lease minus the margin.");
        _renew = renew;
        _lease = lease;
        _interval = interval;
        _retry = TimeSpan.FromTicks(Math.Max(interval.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks));
        _margin = margin;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _deadline = grantedAt + ToTimestampTicks(lease - margin);
        // The first renewal one interval from now, or the deadline if that comes first (a grant answered late).
        var left = TimeLeft(_time.GetTimestamp());
        _timer = _time.CreateTimer(static s => ((LeaseRenewal)s!).OnTimer(), this, left < interval ? left : interval, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Cancelled when the hold is lost. Reading it first checks the deadline (see the remarks).</summary>
    public CancellationToken LostToken
    {
        get
        {
            CheckDeadline();
            return _lost.Token;
        }
    }

    /// <summary>
    /// Marks the hold lost when the lease deadline has passed on the monotonic clock, whether or not the deadline timer
    /// has fired yet. Returns true when the hold is lost.
    /// </summary>
    public bool CheckDeadline()
    {
        if (_lost.IsCancellationRequested) return true;
        if (Volatile.Read(ref _stopped) || _time.GetTimestamp() < Volatile.Read(ref _deadline)) return false;
        MarkLost();
        return true;
    }

    /// <summary>Marks the hold lost now (the store found it gone by other means). A renewal in flight is cancelled with it.</summary>
    public void MarkLost()
    {
        try { _lost.Cancel(); } catch (ObjectDisposedException) { }
    }

    // Due: renew now, unless one is still in flight (then this is its deadline), or the deadline has passed.
    private void OnTimer()
    {
        CancellationTokenSource? renewing = null;
        lock (_gate)
        {
            if (_stopped || _lost.IsCancellationRequested) return;
            var now = _time.GetTimestamp();
            var left = TimeLeft(now);
            if (left > TimeSpan.Zero && _renewing is not null)
            {
                // A renewal that has not answered: wake again at the deadline, however long it hangs.
                ArmLocked(left);
                return;
            }
            if (left > TimeSpan.Zero)
            {
                // Linked to the lost token: a loss cancels the renewal in flight.
                renewing = _renewing = CancellationTokenSource.CreateLinkedTokenSource(_lost.Token);
                _renewed = new TaskCompletionSource();
                ArmLocked(left);
            }
        }
        if (renewing is null) MarkLost();
        else _ = RenewAsync(renewing);
    }

    private async Task RenewAsync(CancellationTokenSource renewing)
    {
        var sent = _time.GetTimestamp();
        TimeSpan? next = null;
        try
        {
            if (!await _renew(renewing.Token).ConfigureAwait(false))
            {
                if (!Volatile.Read(ref _stopped)) MarkLost();
                return;
            }
            // A loss is final: if the deadline passed before this renewal was answered (the process was paused,
            // the reply was slow), the holder may already have been told, so the renewal cannot take it back.
            if (Volatile.Read(ref _stopped) || CheckDeadline()) return;
            Volatile.Write(ref _deadline, sent + ToTimestampTicks(_lease - _margin));
            next = _interval;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (Volatile.Read(ref _stopped) || _lost.IsCancellationRequested) return;
            // Unknown outcome: keep trying more often; the deadline declares the loss if none succeeds in time.
            _logger.LogWarning(ex, "Renewing a lease failed; retrying in {RetryMs} ms", _retry.TotalMilliseconds);
            next = _retry;
        }
        finally
        {
            TaskCompletionSource? renewed;
            lock (_gate)
            {
                _renewing = null;
                renewed = _renewed;
                _renewed = null;
                if (next is { } wait && !_stopped && !_lost.IsCancellationRequested)
                {
                    var left = TimeLeft(_time.GetTimestamp());
                    ArmLocked(left < wait ? left : wait);
                }
            }
            renewing.Dispose();
            renewed?.SetResult();
        }
    }

    // Under _gate. The timer never fires early by rounding: the deadline check then finds the deadline passed.
    private void ArmLocked(TimeSpan due) => _timer.Change(due, Timeout.InfiniteTimeSpan);

    private TimeSpan TimeLeft(long now)
    {
        var ticks = Volatile.Read(ref _deadline) - now;
        if (ticks <= 0) return TimeSpan.Zero;
        return TimeSpan.FromTicks((long)Math.Ceiling(ticks * (TimeSpan.TicksPerSecond / (double)_time.TimestampFrequency)));
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.Ticks * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));

    /// <summary>
    /// Stops renewing without reporting a loss (the hold is being released); returns once a renewal in flight has
    /// finished, so none runs after. Safe to call twice.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        CancellationTokenSource? renewing;
        TaskCompletionSource? renewed;
        lock (_gate)
        {
            if (_stopped) return ValueTask.CompletedTask;
            Volatile.Write(ref _stopped, true);
            renewing = _renewing;
            renewed = _renewed;
        }
        _timer.Dispose();
        if (renewed is null) return ValueTask.CompletedTask;
        try { renewing?.Cancel(); } catch (ObjectDisposedException) { }
        return new ValueTask(renewed.Task);
    }
}
