namespace Padlock.Stores;

/// <summary>
/// How long a store may keep a lock for its own callers while another store (another process) may wait for it:
/// bounded batching, as in lock cohorting (Dice, Marathe and Shavit, PPoPP 2012). Within a turn the lock passes between
/// local callers without a round trip; once the turn has lasted <see cref="Slice"/> or served <see cref="Batch"/>
/// grants, the next release gives the lock back to the store's server (Redis, PostgreSQL), which hands it to the first
/// in its line. A waiting store therefore waits at most one slice plus the hold in progress for each store ahead of it.
/// Shared by <c>redis://</c> (which bounds a turn only once it has heard that someone else waits) and
/// <c>postgres://</c> (which cannot hear that, so every turn is bounded).
/// </summary>
/// <param name="Slice">The turn's time bound; zero gives the key back at the first release once someone else waits (strict first-come-first-served between stores).</param>
/// <param name="Batch">The turn's grant bound.</param>
internal readonly record struct HandOffPolicy(TimeSpan Slice, int Batch)
{
    /// <summary>Whether a turn that has lasted <paramref name="elapsed"/> and served <paramref name="grants"/> is over, if someone else waits.</summary>
    public bool TurnOver(TimeSpan elapsed, int grants) => elapsed >= Slice || grants >= Batch;
}
