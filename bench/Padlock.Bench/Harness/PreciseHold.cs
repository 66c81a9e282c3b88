using System.Diagnostics;

namespace Padlock.Bench.Harness;

/// <summary>
/// Holds for a set time with sub-millisecond accuracy. <c>Task.Delay(1 ms)</c> waits for the timer queue's next tick
/// (4–8 ms on this Linux box), so a "1 ms hold" would measure the timer, not the store. The thread sleeps the whole
/// milliseconds (nanosleep, slightly late) and spins the rest; <see cref="Reserve"/> raises the thread pool's minimum
/// so that workers blocked here do not starve the continuations of the others.
/// </summary>
public static class PreciseHold
{
    /// <summary>Blocks the calling thread for at least <paramref name="hold"/>.</summary>
    public static void Wait(TimeSpan hold)
    {
        var end = Stopwatch.GetTimestamp() + (long)(hold.TotalSeconds * Stopwatch.Frequency);
        var whole = (int)hold.TotalMilliseconds;
        if (whole > 0) Thread.Sleep(whole);
        while (Stopwatch.GetTimestamp() < end) Thread.SpinWait(32);
    }

    /// <summary>Lets <paramref name="workers"/> threads block in <see cref="Wait"/> at once without starving the pool.</summary>
    public static void Reserve(int workers)
    {
        ThreadPool.GetMinThreads(out var threads, out var io);
        var wanted = workers + Environment.ProcessorCount * 2;
        if (threads < wanted) ThreadPool.SetMinThreads(wanted, io);
    }
}
