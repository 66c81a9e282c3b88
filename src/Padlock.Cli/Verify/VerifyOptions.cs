namespace Padlock.Cli.Verify;

/// <summary>
/// A verify run's settings. <paramref name="PauseFor"/>: how long <c>pause</c> and <c>server-pause</c> freeze their
/// target; null means 1.5 × the store's lease or session + 0.5 s (1 s for file://, which has no lease).
/// </summary>
internal sealed record VerifyOptions(int Clients, TimeSpan Duration, TimeSpan Hold, TimeSpan AcquireTimeout, bool Fenced, TimeSpan? PauseFor)
{
    /// <summary>
    /// Callers in each client process, each its own loop on the process's one provider (default 1). More than one
    /// checks a store that hands the lock between callers of one process (redis://) under the same faults.
    /// </summary>
    public int Callers { get; init; } = 1;

    /// <summary>What the clients contend for (<c>--primitive</c>, <c>--permits</c>): the lock unless told otherwise.</summary>
    public VerifyPrimitive Primitive { get; init; } = VerifyPrimitive.Default;

    public TimeSpan FreezeFor(string uri)
        => PauseFor ?? (Faults.LeaseOf(uri) is { } lease ? lease * 1.5 + TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(1));
}
