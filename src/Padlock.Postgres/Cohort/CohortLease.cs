using Padlock.Stores;

namespace Padlock.Postgres.Cohort;

/// <summary>One holder inside this process, on the store's hold of the lock (its loss is every local holder's).</summary>
internal sealed class CohortLease(AdvisoryCohort cohort, CohortHold hold, long fencingToken)
    : SharedHoldLease(hold.Server.LostToken, fencingToken)
{
    /// <summary>The store's hold this holder is on.</summary>
    public CohortHold Hold => hold;

    /// <summary>
    /// Reading the hold's lost token runs its silence check (no keep-alive answered for two thirds of the lease marks it
    /// lost, and through the registration this lease): a holder resuming from a pause sees the loss at once.
    /// </summary>
    protected override void CheckDeadline() => _ = hold.Server.LostToken;

    /// <inheritdoc/>
    protected override ValueTask ReturnAsync() => cohort.ReleaseAsync(this);
}
