using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Padlock.Stores;
using Padlock.Telemetry;

namespace Padlock.Internal;

/// <summary>
/// The one implementation of <see cref="IDistributedLock"/>: every store shares its argument checks, timeout semantics,
/// synchronous forms and telemetry, and only supplies <see cref="ILockStore.TryAcquireAsync"/>.
/// </summary>
internal sealed class DistributedLock(string name, ILockStore store, ILogger logger, TimeProvider time) : IDistributedLock
{
    public string Name { get; } = name;

    public ValueTask<ILockHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => AcquireCoreAsync(TimeoutValidation.Check(timeout), cancellationToken);

    public async ValueTask<ILockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var t = TimeoutValidation.Check(timeout ?? Timeout.InfiniteTimeSpan);
        return await AcquireCoreAsync(t, cancellationToken).ConfigureAwait(false)
            ?? throw new TimeoutException($"Timed out after {Durations.Format(t)} waiting for lock '{Name}' on {store.Kind}://.");
    }

    public ILockHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => SyncOverAsync.Run(TryAcquireAsync(timeout, cancellationToken));

    public ILockHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => SyncOverAsync.Run(AcquireAsync(timeout, cancellationToken));

    private async ValueTask<ILockHandle?> AcquireCoreAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var storeTag = new KeyValuePair<string, object?>("padlock.store", store.Kind);
        using var activity = PadlockTelemetry.Source.StartActivity("padlock.acquire");
        activity?.SetTag("padlock.store", store.Kind);
        activity?.SetTag("padlock.lock", Name);
        var started = time.GetTimestamp();
        string outcome = "error";
        try
        {
            StoreLease? lease;
            using (var wait = new LockWait(timeout, cancellationToken, time))
            {
                try
                {
                    lease = await store.TryAcquireAsync(Name, wait).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && wait.TimedOut)
                {
                    // The store's wait ended at the deadline, not at the caller's request: not acquired.
                    lease = null;
                }
            }
            if (lease is null)
            {
                outcome = timeout == TimeSpan.Zero ? "busy" : "timeout";
                return null;
            }
            outcome = "acquired";
            activity?.SetTag("padlock.fencing_token", lease.FencingToken);
            PadlockTelemetry.Acquisitions.Add(1, storeTag);
            LogMessages.Acquired(logger, Name, store.Kind, lease.FencingToken);
            return new LockHandle(Name, store.Kind, lease, logger, time);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            outcome = "cancelled";
            // Always with the caller's token, whichever token the store's wait ended on.
            if (ex.CancellationToken == cancellationToken) throw;
            throw new OperationCanceledException(ex.Message, ex, cancellationToken);
        }
        finally
        {
            var outcomeTag = new KeyValuePair<string, object?>("padlock.outcome", outcome);
            PadlockTelemetry.AcquireDuration.Record(time.GetElapsedTime(started).TotalSeconds, storeTag, outcomeTag);
            if (outcome != "acquired") PadlockTelemetry.Failures.Add(1, storeTag, outcomeTag);
            activity?.SetTag("padlock.outcome", outcome);
            if (outcome == "error") activity?.SetStatus(ActivityStatusCode.Error);
        }
    }
}
