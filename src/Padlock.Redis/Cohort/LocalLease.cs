using Padlock.Stores;

namespace Padlock.Redis.Cohort;

/// <summary>One holder inside this process, on the process's Redis hold (a lost key is every local holder's loss).</summary>
internal sealed class LocalLease(LockCohort cohort, CohortHold hold, long fencingToken)
    : SharedHoldLease(hold.Renewal.LostToken, fencingToken)
{
    /// <summary>The process's Redis hold this holder is on.</summary>
    public CohortHold Hold => hold;

    /// <summary>
    /// Checks the hold's lease deadline on the monotonic clock (which cancels the hold's token, and through the
    /// registration marks this lease lost): a holder resuming from a pause sees the loss at once.
    /// </summary>
    protected override void CheckDeadline() => hold.Renewal.CheckDeadline();

    /// <inheritdoc/>
    protected override ValueTask ReturnAsync() => cohort.ReleaseAsync(this);
}
