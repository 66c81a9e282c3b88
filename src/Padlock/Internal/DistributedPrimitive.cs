using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Padlock.Stores;
using Padlock.Telemetry;

namespace Padlock.Internal;

/// <summary>
/// The acquire path every primitive shares: timeout checks, the <see cref="LockWait"/>, deadline → null,
/// <see cref="TimeoutException"/>, the recursion check, synchronous forms, telemetry and the handle. A primitive only
/// says how to ask its store for one hold (<see cref="TryAcquireInStoreAsync"/>) and how to describe itself.
/// </summary>
internal abstract class DistributedPrimitive(string name, string primitive, object provider, ILockStore store, ILogger logger, TimeProvider time)
{
    public string Name { get; } = name;

    protected ILockStore Store { get; } = store;

    /// <summary>"lock 'x'", "semaphore 'x' (maxCount 4)": for messages.</summary>
    protected abstract string Describe { get; }

    /// <summary>One hold from the store, with the store's wait rules (<see cref="ILockStore.TryAcquireAsync"/>).</summary>
    protected abstract ValueTask<StoreLease?> TryAcquireInStoreAsync(LockWait wait);

    /// <summary>The handle the caller gets for a grant: the plain handle, or a richer one around it (the election's leadership).</summary>
    protected virtual ILockHandle MakeHandle(LockHandle handle, StoreLease lease) => handle;

    // The public forms are not async methods: FlowHolds.Begin must run in the caller's flow (see FlowHolds).
    public ValueTask<ILockHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => AcquireCoreAsync(TimeoutValidation.Check(timeout), cancellationToken, BeginHold(), throwOnTimeout: false);

    // The same state machine as the try form (nullability aside, the same type): a null never comes back from it.
    public ValueTask<ILockHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => AcquireCoreAsync(TimeoutValidation.Check(timeout ?? Timeout.InfiniteTimeSpan), cancellationToken, BeginHold(), throwOnTimeout: true)!;

    public ILockHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => SyncOverAsync.Run(TryAcquireAsync(timeout, cancellationToken));

    public ILockHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => SyncOverAsync.Run(AcquireAsync(timeout, cancellationToken));

    // Every primitive refuses a second acquire of a name its flow holds through this provider (issue 12; design.md).
    private FlowHolds.Cell BeginHold() => FlowHolds.Begin(provider, primitive, Name);

    // One async method for the whole acquire (checks, telemetry, the store's call, the handle): each further layer
    // would cost every acquire another state machine.
    private async ValueTask<ILockHandle?> AcquireCoreAsync(TimeSpan timeout, CancellationToken cancellationToken, FlowHolds.Cell? hold, bool throwOnTimeout)
    {
        ILockHandle? handle = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (hold is { Recursive: true })
                throw new LockRecursionException(
                    $"This async flow already holds {Describe} through this provider; Padlock's primitives are not reentrant, " +
                    "so a second acquire would wait for itself. Reuse the handle you hold, or release it first.");
            var storeTag = new KeyValuePair<string, object?>("padlock.store", Store.Kind);
            var primitiveTag = new KeyValuePair<string, object?>("padlock.primitive", primitive);
            using var activity = PadlockTelemetry.Source.StartActivity("padlock.acquire");
            activity?.SetTag("padlock.store", Store.Kind);
            activity?.SetTag("padlock.primitive", primitive);
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
                        lease = await TryAcquireInStoreAsync(wait).ConfigureAwait(false);
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
                }
                else
                {
                    outcome = "acquired";
                    activity?.SetTag("padlock.fencing_token", lease.FencingToken);
                    PadlockTelemetry.Acquisitions.Add(1, storeTag, primitiveTag);
                    LogMessages.Acquired(logger, Name, Store.Kind, lease.FencingToken);
                    hold?.MarkHeld();
                    handle = MakeHandle(new LockHandle(Name, Store.Kind, primitive, lease, hold, logger, time), lease);
                }
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
                PadlockTelemetry.AcquireDuration.Record(time.GetElapsedTime(started).TotalSeconds, storeTag, primitiveTag, outcomeTag);
                if (outcome != "acquired") PadlockTelemetry.Failures.Add(1, storeTag, primitiveTag, outcomeTag);
                activity?.SetTag("padlock.outcome", outcome);
                if (outcome == "error") activity?.SetStatus(ActivityStatusCode.Error);
            }
        }
        finally
        {
            if (handle is null) hold?.Dispose();
        }
        if (handle is null && throwOnTimeout) throw new TimeoutException($"Timed out after {Durations.Format(timeout)} waiting for {Describe} on {Store.Kind}://.");
        return handle;
    }
}
