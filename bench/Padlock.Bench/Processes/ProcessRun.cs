namespace Padlock.Bench.Processes;

/// <summary>One run of a multi-process suite: its workers' results and all their waits merged.</summary>
internal sealed record ProcessRun(WorkerResult[] Results, WaitHistogram Waits)
{
    /// <summary>
    /// Runs <paramref name="processes"/> workers in mode <paramref name="flag"/> on <paramref name="plan"/>, with its
    /// overlap flags file made before and removed after; <paramref name="idleBefore"/> and <paramref name="idleAfter"/>
    /// as <see cref="WorkerProcesses.RunAsync"/>.
    /// </summary>
    public static async Task<ProcessRun> RunAsync(string flag, int processes, WorkerPlan plan, Func<Task>? idleBefore = null, Func<Task>? idleAfter = null)
    {
        OverlapFlags.Create(plan.FlagsFile, plan.Names);
        try
        {
            var args = Enumerable.Range(0, processes).Select(_ => plan.ToArgs(flag)).ToArray();
            var results = await WorkerProcesses.RunAsync(args, idleBefore, idleAfter);
            var waits = new WaitHistogram();
            foreach (var r in results) waits.Merge(r.Waits);
            return new ProcessRun(results, waits);
        }
        finally
        {
            File.Delete(plan.FlagsFile);
        }
    }

    /// <summary>Grants in the window per process.</summary>
    public long[] PerProcess => Results.Select(r => r.Grants.Sum()).ToArray();

    /// <summary>Every grant from the start of the warm-up: what a counter incremented under the lock must read.</summary>
    public long AllGrants => Results.Sum(r => r.WarmupGrants + r.AllGrants);

    /// <summary>Failed overlap checks, bold when any.</summary>
    public string Overlaps
    {
        get
        {
            var n = Results.Sum(r => r.Overlaps);
            return n == 0 ? "0" : $"**{n}**";
        }
    }

    /// <summary>Errors with the last message, and processes that left callers blocked.</summary>
    public string Errors
    {
        get
        {
            var n = Results.Sum(r => r.Errors);
            var abandoned = Results.Count(r => r.Abandoned);
            var last = Results.Select(r => r.LastError).LastOrDefault(e => e is not null);
            return (n == 0 ? "0" : $"{n} ({last})") + (abandoned == 0 ? "" : $", {abandoned} processes left callers blocked");
        }
    }
}
