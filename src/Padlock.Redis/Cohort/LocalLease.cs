using Padlock.Stores;

namespace Padlock.Redis.Cohort;

/// <summary>
/// One holder inside this process, on the process's Redis hold. Its lost token follows the hold's (a lost key is
/// every local holder's loss) but is its own, so it stays quiet once this holder has released.
/// </summary>
internal sealed class LocalLease : StoreLease
{
    private readonly LockCohort _cohort;
    private readonly CancellationTokenRegistration _follow;

    public LocalLease(LockCohort cohort, CohortHold hold, long fencingToken)
    {
        _cohort = cohort;
        Hold = hold;
        FencingToken = fencingToken;
        _follow = hold.Renewal.LostToken.UnsafeRegister(static s => ((LocalLease)s!).MarkLost(), this);
    }

    /// <summary>The process's Redis hold this holder is on.</summary>
    public CohortHold Hold { get; }

    /// <inheritdoc/>
    public override long FencingToken { get; }

    /// <summary>
    /// Checks the hold's lease deadline on the monotonic clock (which cancels the hold's token, and through the
    /// registration marks this lease lost): a holder resuming from a pause sees the loss at once.
    /// </summary>
    protected override void CheckDeadline() => Hold.Renewal.CheckDeadline();

    /// <inheritdoc/>
    protected override ValueTask ReleaseCoreAsync()
    {
        // Not an async method: the registration's disposal nearly always completes at once, and then the cohort's
        // release is the only state machine.
        var follow = _follow.DisposeAsync();
        return follow.IsCompletedSuccessfully ? _cohort.ReleaseAsync(this) : ReleaseAfterAsync(follow);
    }

    private async ValueTask ReleaseAfterAsync(ValueTask follow)
    {
        await follow.ConfigureAwait(false);
        await _cohort.ReleaseAsync(this).ConfigureAwait(false);
    }
}
