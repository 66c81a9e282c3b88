namespace Padlock.Cli.Verify;

/// <summary>
/// What verify's clients contend for (<c>--primitive</c>): the lock (default), a semaphore of <see cref="Permits"/>, a
/// reader-writer lock (one acquire in three a write) or an election (a campaign is the acquire, the term the token, a
/// resign the release). The checker's rule follows: an exclusive hold (lock, write, leadership) must overlap no other
/// hold; at most <see cref="Permits"/> semaphore holds at once; read holds may overlap each other.
/// </summary>
internal sealed record VerifyPrimitive(string Kind, int Permits)
{
    public const string Lock = "lock", Semaphore = "semaphore", ReaderWriter = "rw", Election = "election";

    public static readonly string[] All = [Lock, Semaphore, ReaderWriter, Election];

    public static VerifyPrimitive Default { get; } = new(Lock, 1);

    /// <summary>How the primitive reads in a table and a verdict: "lock", "semaphore(3)", "rw", "election".</summary>
    public string Label => Kind == Semaphore ? $"semaphore({Permits})" : Kind;

    /// <summary>
    /// True when every hold is exclusive, so the register's fencing (a token below the highest seen is refused) is
    /// meaningful. Shared holds (permits, reads) legitimately act in any token order, so <c>--fenced</c> is refused with them.
    /// </summary>
    public bool AllExclusive => Kind is Lock or Election;

    /// <summary>One acquire of the primitive, for client <paramref name="client"/>: the handle (null: not granted in time) and whether the hold is exclusive.</summary>
    public Func<CancellationToken, ValueTask<(ILockHandle? Handle, bool Exclusive)>> Acquirer(ILockProvider provider, string name, int client, TimeSpan timeout)
    {
        switch (Kind)
        {
            case Semaphore:
            {
                var semaphore = provider.CreateSemaphore(name, Permits);
                return async ct => (await semaphore.TryAcquireAsync(timeout, ct), false);
            }
            case ReaderWriter:
            {
                var rw = provider.CreateReaderWriterLock(name);
                return async ct => Random.Shared.Next(3) == 0
                    ? (await rw.TryAcquireWriteAsync(timeout, ct), true)
                    : (await rw.TryAcquireReadAsync(timeout, ct), false);
            }
            case Election:
            {
                var election = provider.CreateElection(name);
                var value = "client-" + client;
                return async ct => (await election.TryCampaignAsync(value, timeout, ct), true);
            }
            default:
            {
                var theLock = provider.CreateLock(name);
                return async ct => (await theLock.TryAcquireAsync(timeout, ct), true);
            }
        }
    }
}
