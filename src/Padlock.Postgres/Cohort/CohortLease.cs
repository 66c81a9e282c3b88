using Padlock.Stores;

namespace Padlock.Postgres.Cohort;

/// <summary>
/// One holder inside this process, on the store's hold of the lock. Its lost token follows the hold's (a lost session
/// is every local holder's loss) but is its own, so it stays quiet once this holder has released.
/// </summary>
internal sealed class CohortLease : StoreLease
{
    private readonly AdvisoryCohort _cohort;
    private readonly CancellationTokenRegistration _follow;

    public CohortLease(AdvisoryCohort cohort, CohortHold hold, long fencingToken)
    {
        _cohort = cohort;
        Hold = hold;
        FencingToken = fencingToken;
        _follow = hold.Server.LostToken.UnsafeRegister(static s => ((CohortLease)s!).MarkLost(), this);
    }

    /// <summary>The store's hold this holder is on.</summary>
    public CohortHold Hold { get; }

    /// <inheritdoc/>
    public override long FencingToken { get; }

    /// <summary>
    /// Reading the hold's lost token runs its silence check (no keep-alive answered for two thirds of the lease marks it
    /// lost, and through the registration this lease): a holder resuming from a pause sees the loss at once.
    /// </summary>
    protected override void CheckDeadline() => _ = Hold.Server.LostToken;

    /// <inheritdoc/>
    protected override async ValueTask ReleaseCoreAsync()
    {
        await _follow.DisposeAsync().ConfigureAwait(false);
        await _cohort.ReleaseAsync(this).ConfigureAwait(false);
    }
}
