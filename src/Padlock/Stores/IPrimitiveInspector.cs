namespace Padlock.Stores;

/// <summary>
/// Optional on a store: tells who holds and who waits for a semaphore, a reader-writer lock or an election, for
/// <c>padlock status</c> and dashboards (the lock's counterpart is <see cref="ILockInspector"/>). Reading never takes or
/// changes anything, and is advisory: the answer may be stale by the time it is shown.
/// </summary>
public interface IPrimitiveInspector
{
    /// <summary>Reads semaphore <paramref name="name"/>: its permit holders, oldest grant first, and its waiters, first first.</summary>
    /// <param name="name">The semaphore's name.</param>
    /// <param name="maxCount">The permits the caller uses the name with (1 to <see cref="SemaphoreLimits.MaxCount"/>); a store whose line does not tell holders from waiters by itself splits it there.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<PrimitiveStatus> InspectSemaphoreAsync(string name, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Reads reader-writer lock <paramref name="name"/>: its holders and waiters, each with its <see cref="LockMode"/>.</summary>
    ValueTask<PrimitiveStatus> InspectReaderWriterAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Reads election <paramref name="name"/>: the leader (its value and term) as the one holder, and the candidates in line.</summary>
    ValueTask<PrimitiveStatus> InspectElectionAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>What a store can tell about one semaphore, reader-writer lock or election.</summary>
/// <param name="Name">The name inspected.</param>
/// <param name="Holders">Who holds now, oldest grant first where the store knows the order (an election: the leader alone, or nobody).</param>
/// <param name="Waiters">Who waits, first in line first; null when the store cannot tell its waiters.</param>
public sealed record PrimitiveStatus(string Name, IReadOnlyList<PrimitiveEntry> Holders, IReadOnlyList<PrimitiveEntry>? Waiters)
{
    /// <summary>
    /// Splits a line (every entry in line order, oldest first) into holders and waiters by <paramref name="policy"/>: a
    /// counting policy holds its first <see cref="LinePolicy.Permits"/> entries; a reader-writer line (any entry's
    /// <see cref="PrimitiveEntry.Mode"/> set) decides each entry by its own mode and the modes of the entries below it.
    /// </summary>
    /// <param name="name">The name inspected.</param>
    /// <param name="line">The entries in line order.</param>
    /// <param name="policy">The policy of the line's entries: <see cref="LinePolicy.Exclusive"/>, a <see cref="LinePolicy.Semaphore"/>, or null for a reader-writer line (each entry by its mode; an entry without one counts as a writer).</param>
    public static PrimitiveStatus FromLine(string name, IReadOnlyList<PrimitiveEntry> line, LinePolicy? policy)
    {
        ArgumentNullException.ThrowIfNull(line);
        var holders = new List<PrimitiveEntry>();
        var waiters = new List<PrimitiveEntry>();
        var modes = new List<LockMode>(line.Count);
        foreach (var entry in line)
        {
            var mode = entry.Mode ?? LockMode.Write;
            var holds = policy is null ? LinePolicy.ReaderWriter(mode).Decide(modes).Holds : policy.Decide(modes.Count).Holds;
            (holds ? holders : waiters).Add(entry);
            modes.Add(mode);
        }
        return new PrimitiveStatus(name, holders, waiters);
    }

    // ToString lists the entries (a record would print only the lists' type names), for logs and test failures.
#pragma warning disable IDE0051 // called by the record's generated ToString
    private bool PrintMembers(System.Text.StringBuilder builder)
#pragma warning restore IDE0051
    {
        builder.Append("Name = ").Append(Name)
            .Append(", Holders = [").AppendJoin(", ", Holders).Append(']')
            .Append(", Waiters = ").Append(Waiters is null ? "unknown" : "[" + string.Join(", ", Waiters) + "]");
        return true;
    }
}

/// <summary>One holder or waiter; fields the store cannot tell are null.</summary>
/// <param name="Owner">Its description (<see cref="StoreContext.OwnerDescription"/>, host/process by default, or what the store knows, e.g. a backend pid).</param>
/// <param name="FencingToken">A holder's fencing token (an election leader's: its term); a line store's waiter may show the token its entry will hold with.</param>
/// <param name="Since">When the hold (or the wait) began.</param>
/// <param name="LeaseRemaining">Time left before the store frees the hold unless renewed.</param>
/// <param name="Mode">A reader-writer entry's mode; null for semaphores and elections.</param>
/// <param name="Value">An election candidate's value (the leader's current one); null for the other primitives.</param>
public sealed record PrimitiveEntry(
    string? Owner,
    long? FencingToken = null,
    DateTimeOffset? Since = null,
    TimeSpan? LeaseRemaining = null,
    LockMode? Mode = null,
    string? Value = null);
