using System.Diagnostics;

namespace Padlock.Cli.Demo;

/// <summary>
/// Try-lock: several workers want the same job at the same moment; each tries once without waiting. One runs it,
/// the others give up at once instead of queueing — the pattern for "only one instance runs this cron job".
/// </summary>
internal static class TryLockRound
{
    public static async Task<DemoResult> RunAsync(int workers, LockProvider provider)
    {
        var sw = Stopwatch.StartNew();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var theLock = provider.CreateLock("padlock-demo-job");
        var rounds = Task.WhenAll(Enumerable.Range(1, workers).Select(w => Task.Run(async () =>
        {
            await start.Task;
            await using var handle = await theLock.TryAcquireAsync(TimeSpan.Zero);
            if (handle is null) return (w, false);
            // Hold long enough that every other worker's single try finds the lock taken.
            await Task.Delay(200);
            return (w, true);
        })));
        start.SetResult();
        var outcomes = await rounds;
        var winners = outcomes.Where(o => o.Item2).Select(o => o.w).ToList();
        var gaveUp = outcomes.Where(o => !o.Item2).Select(o => o.w).ToList();
        return new DemoResult("try-lock, no waiting", "mem://", 1, winners.Count, sw.Elapsed.TotalSeconds, true,
            Detail: $"worker {string.Join(",", winners)} ran the job; {(gaveUp.Count == 1 ? "worker" : "workers")} {string.Join(",", gaveUp)} gave up");
    }
}
