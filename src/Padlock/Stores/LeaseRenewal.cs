using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Padlock.Stores;

/// <summary>
/// Keeps a lease alive for stores whose holds expire (Redis): renews it on a cadence well inside the lease, and
/// cancels the lost token before the lease can run out when renewals fail, or at once when the store says the
/// hold is someone else's. Runs on timers, never blocking a thread-pool thread.
/// </summary>
/// <remarks>
/// The lost token is itself the deadline: it is a <see cref="CancellationTokenSource"/> armed to fire one safety
/// margin before the lease would end, re-armed after each successful renewal from the time that renewal was sent.
/// So even a renewal call that hangs cannot keep the holder believing in a lease the store has already dropped.
/// A timer fires late when the process was paused (a GC pause, SIGSTOP, a VM migration): reading <see cref="LostToken"/>
/// therefore also compares the deadline with the monotonic clock, so a holder that resumes past its lease sees the
/// loss on its first look, before the timer has had a chance to run.
/// </remarks>
public sealed class LeaseRenewal : IAsyncDisposable
{
    private readonly Func<CancellationToken, ValueTask<bool>> _renew;
    private readonly TimeSpan _lease;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _margin;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _deadline; // the monotonic timestamp at which the hold counts as lost, unless renewed before

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
        _margin = margin;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _deadline = grantedAt + ToTimestampTicks(lease - margin);
        var left = lease - margin - _time.GetElapsedTime(grantedAt);
        _lost = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time);
        _loop = Task.Run(RunAsync);
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
        if (_stop.IsCancellationRequested || _time.GetTimestamp() < Volatile.Read(ref _deadline)) return false;
        MarkLost();
        return true;
    }

    /// <summary>Marks the hold lost now (the store found it gone by other means).</summary>
    public void MarkLost()
    {
        try { _lost.Cancel(); } catch (ObjectDisposedException) { }
    }

    private async Task RunAsync()
    {
        var retry = TimeSpan.FromTicks(Math.Max(_interval.Ticks / 4, TimeSpan.FromMilliseconds(10).Ticks));
        var wait = _interval;
        while (!_stop.IsCancellationRequested && !_lost.IsCancellationRequested)
        {
            try
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _lost.Token);
                await Task.Delay(wait, _time, either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var sent = _time.GetTimestamp();
            try
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, _lost.Token);
                if (!await _renew(either.Token).ConfigureAwait(false))
                {
                    if (!_stop.IsCancellationRequested) MarkLost();
                    return;
                }
                if (_stop.IsCancellationRequested || _lost.IsCancellationRequested) return;
                // A loss is final: if the deadline passed before this renewal was answered (the process was paused,
                // the reply was slow), the holder may already have been told, so the renewal cannot take it back.
                if (CheckDeadline()) return;
                Volatile.Write(ref _deadline, sent + ToTimestampTicks(_lease - _margin));
                var left = _lease - _margin - _time.GetElapsedTime(sent);
                _lost.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                wait = _interval;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (_stop.IsCancellationRequested || _lost.IsCancellationRequested) return;
                // Unknown outcome: keep trying more often; the armed deadline declares the loss if none succeeds in time.
                _logger.LogWarning(ex, "Renewing a lease failed; retrying in {RetryMs} ms", retry.TotalMilliseconds);
                wait = retry;
            }
        }
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.Ticks * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));

    /// <summary>Stops renewing without reporting a loss (the hold is being released). Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        // Disarm the deadline only once the loop has stopped (it could re-arm it), so a released hold is never reported lost later.
        if (!_lost.IsCancellationRequested) _lost.CancelAfter(Timeout.InfiniteTimeSpan);
    }
}
