using System.Diagnostics;

namespace Padlock.Cli.Demo;

/// <summary>
/// The chapter's opening experiment inside one process: tasks read a counter, yield (the gap where another task
/// runs), and write back the value plus one. Without a lock updates are lost; with one the total is exact.
/// </summary>
internal static class InProcessRace
{
    public static async Task<DemoResult> RunAsync(int workers, int increments, LockProvider? provider)
    {
        long counter = 0;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            var theLock = provider?.CreateLock("padlock-demo-counter");
            for (var i = 0; i < increments; i++)
            {
                var handle = theLock is null ? null : await theLock.AcquireAsync(TimeSpan.FromSeconds(60));
                try
                {
                    var value = Volatile.Read(ref counter);
                    await Task.Yield();
                    Volatile.Write(ref counter, value + 1);
                }
                finally
                {
                    if (handle is not null) await handle.DisposeAsync();
                }
            }
        })));
        var name = provider is null ? "threads, no lock" : "threads, in-process lock";
        return new DemoResult(name, provider is null ? "-" : "mem://", (long)workers * increments, counter, sw.Elapsed.TotalSeconds, provider is not null);
    }
}
