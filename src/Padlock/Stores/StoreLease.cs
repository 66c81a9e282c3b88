namespace Padlock.Stores;

/// <summary>
/// A store's record of one hold, and its lifecycle: the lost token, <see cref="MarkLost"/>, and a release that runs
/// once however often it is asked for (the holder's handle and the store's disposal may both release). A store
/// implements <see cref="ReleaseCoreAsync"/> (and, where a deadline decides loss, <see cref="CheckDeadline"/>).
/// </summary>
public abstract class StoreLease
{
    private readonly CancellationTokenSource _lost = new();
    private Task? _release; // set by the first release; later callers await it
    internal HeldLeases? HeldBy; // the store's set this lease is in, if any; left on release

    /// <summary>The fencing token the store assigned to this hold.</summary>
    public abstract long FencingToken { get; }

    /// <summary>
    /// Cancelled when the store can no longer guarantee the hold. While held, reading it first calls
    /// <see cref="CheckDeadline"/>, so a holder resuming from a pause sees a loss whose timer has not run yet.
    /// </summary>
    public CancellationToken LostToken
    {
        get
        {
            if (!IsReleased) CheckDeadline();
            return _lost.Token;
        }
    }

    /// <summary>Whether the hold is lost (reads <see cref="LostToken"/>, so the deadline is checked first).</summary>
    public bool IsLost => LostToken.IsCancellationRequested;

    /// <summary>Whether a release has begun.</summary>
    protected bool IsReleased => Volatile.Read(ref _release) is not null;

    /// <summary>
    /// Reports the hold lost: <see cref="LostToken"/> fires. Does nothing once the hold is released (a released hold
    /// is never reported lost) or already lost. Safe from any thread and from cancellation callbacks.
    /// </summary>
    public void MarkLost()
    {
        if (IsReleased) return;
        try
        {
            _lost.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Ends the hold: the first call runs <see cref="ReleaseCoreAsync"/>, later and concurrent calls await that same
    /// run (and see success even when it failed: its caller got the error).
    /// </summary>
    public ValueTask ReleaseAsync()
    {
        if (Volatile.Read(ref _release) is { } running) return new ValueTask(running);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _release, done.Task, null) is { } raced) return new ValueTask(raced);
        HeldBy?.Remove(this);
        return RunReleaseAsync(done);
    }

    /// <summary>
    /// The store's release, called once. Must never remove another holder's lock (compare the owner before
    /// deleting) and must stop any renewal; after a loss it is still called and must then be harmless.
    /// </summary>
    protected abstract ValueTask ReleaseCoreAsync();

    /// <summary>
    /// Called before <see cref="LostToken"/> is read while the hold is held: a store whose holds end at a deadline
    /// (a lease, a session's silence limit) compares it with the monotonic clock here and calls
    /// <see cref="MarkLost"/> when it has passed. The default does nothing. Must be cheap and must not block.
    /// </summary>
    protected virtual void CheckDeadline()
    {
    }

    private async ValueTask RunReleaseAsync(TaskCompletionSource done)
    {
        try
        {
            await ReleaseCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            done.SetResult();
        }
    }
}
