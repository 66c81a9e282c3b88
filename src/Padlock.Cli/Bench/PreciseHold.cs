using System.Diagnostics;

namespace Padlock.Cli.Bench;

/// <summary>
/// Holds for a set time with sub-millisecond accuracy. <c>Task.Delay</c> runs on the timer queue, whose ticks make a
/// 1 ms delay last 4–8 ms on Linux, so a "1 ms hold" would measure the timer, not the store. The worker's thread
/// sleeps the whole milliseconds instead (nanosleep: about 0.06 ms late) and spins the rest; the bench raises the thread
/// pool's minimum so that sleeping workers do not starve the others.
/// </summary>
internal static class PreciseHold
{
    /// <summary>Blocks the calling thread for <paramref name="hold"/>, never less.</summary>
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
        if (threads < workers + Environment.ProcessorCount * 2)
            ThreadPool.SetMinThreads(workers + Environment.ProcessorCount * 2, io);
    }
}
