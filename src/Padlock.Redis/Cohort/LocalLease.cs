using Padlock.Stores;

namespace Padlock.Redis.Cohort;

/// <summary>
/// One holder inside this process, on the process's Redis hold. Its lost token follows the hold's (a lost key is
/// every local holder's loss) but is its own, so it stays quiet once this holder has released.
/// </summary>
internal sealed class LocalLease : StoreLease
{
    private readonly LockCohort _cohort;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenRegistration _follow;
    private int _released;

    public LocalLease(LockCohort cohort, CohortHold hold, long fencingToken)
    {
        _cohort = cohort;
        Hold = hold;
        FencingToken = fencingToken;
        _follow = hold.Renewal.LostToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _lost);
    }

    /// <summary>The process's Redis hold this holder is on.</summary>
    public CohortHold Hold { get; }

    /// <inheritdoc/>
    public override long FencingToken { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// While held, reading it first checks the hold's lease deadline on the monotonic clock (which cancels the hold's
    /// token, and through the registration this one): a holder resuming from a pause sees the loss at once.
    /// </remarks>
    public override CancellationToken LostToken
    {
        get
        {
            if (Volatile.Read(ref _released) == 0) Hold.Renewal.CheckDeadline();
            return _lost.Token;
        }
    }

    /// <inheritdoc/>
    public override async ValueTask ReleaseAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 1) return;
        await _follow.DisposeAsync().ConfigureAwait(false);
        await _cohort.ReleaseAsync(this).ConfigureAwait(false);
    }
}
