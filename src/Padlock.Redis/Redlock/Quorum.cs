namespace Padlock.Redis.Redlock;

/// <summary>The Redlock arithmetic: how many masters make a majority, and how long a grant stays valid.</summary>
internal static class Quorum
{
    /// <summary>A strict majority of <paramref name="masters"/>.</summary>
    public static int Of(int masters) => masters / 2 + 1;

    /// <summary>
    /// Time left of a grant: the lease minus the time the acquire round took, minus the clock-drift allowance
    /// (a fraction of the lease plus 2 ms, as the Redlock description suggests).
    /// </summary>
    public static TimeSpan Validity(TimeSpan lease, TimeSpan elapsed, double driftFactor)
        => lease - elapsed - (lease * driftFactor) - TimeSpan.FromMilliseconds(2);
}
