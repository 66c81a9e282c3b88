using Padlock.Stores;

namespace Padlock.InProcess;

/// <summary>
/// The reader-writer locks of one <see cref="InProcessLockStore"/>: one FIFO line per name
/// (<see cref="InProcessLines{TLine}"/>). A request is granted at once only when nobody waits (so a newcomer never
/// overtakes, and a waiting writer blocks later readers) and the holders allow it (a reader: no writer holds; a writer:
/// nobody holds). A release, or a waiter leaving, grants from the head of the line: one writer, or every reader up to
/// the next writer.
/// </summary>
internal sealed class InProcessReaderWriterLocks(Func<long> nextToken) : InProcessLines<InProcessLine>(nextToken)
{
    internal ValueTask<StoreLease?> TryAcquireAsync(string name, LockMode mode, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        if (mode is not (LockMode.Read or LockMode.Write))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be LockMode.Read or LockMode.Write.");
        return AcquireAsync(name, mode, null, 0, wait);
    }

    protected override InProcessLine Create(string name, int maxCount) => new(name);

    protected override bool Admits(InProcessLine line, LockMode mode) => mode == LockMode.Read ? line.Writers == 0 : line.Holders.Count == 0;
}
