using Padlock.Stores;

namespace Padlock.InProcess;

/// <summary>
/// The counting semaphores of one <see cref="InProcessLockStore"/>: first come, first served, and a release hands its
/// permit straight to the next waiter, so a newcomer never overtakes the line (<see cref="InProcessLines{TLine}"/>);
/// an entry holds while fewer than maxCount do.
/// </summary>
internal sealed class InProcessSemaphores(Func<long> nextToken) : InProcessLines<InProcessSemaphores.Line>(nextToken)
{
    internal ValueTask<StoreLease?> TryAcquireAsync(string name, int maxCount, LockWait wait)
        => AcquireAsync(name, LockMode.Write, null, maxCount, wait);

    protected override Line Create(string name, int maxCount) => new(name, maxCount);

    // A line exists only while permits are held or waited for, so its count is the one in use.
    protected override void Check(Line line, int maxCount)
    {
        if (line.MaxCount != maxCount) throw new SemaphoreCountMismatchException(line.Name, maxCount, line.MaxCount);
    }

    protected override bool Admits(Line line, LockMode mode) => line.Holders.Count < line.MaxCount;

    internal sealed class Line(string name, int maxCount) : InProcessLine(name)
    {
        public readonly int MaxCount = maxCount;
    }
}
