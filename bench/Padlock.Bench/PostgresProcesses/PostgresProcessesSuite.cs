using Npgsql;
using Padlock.Bench.Harness;
using Padlock.Bench.Processes;
using Padlock.LocalServers;

namespace Padlock.Bench.PostgresProcesses;

/// <summary>
/// PostgreSQL locks with every client its own OS process (a <see cref="PostgresLockWorker"/>): Padlock's postgres://
/// (with its in-process cohort turn, and with slice=0ms) beside DistributedLock.Postgres 1.3.1 on one PostgreSQL started
/// here, one name with a counter row incremented under the lock, against the critical section alone and an
/// advisory-lock hand-off between processes.
/// </summary>
public sealed class PostgresProcessesSuite : IBenchSuite
{
    /// <summary>Processes x callers per process, all on one name: with 2 callers a process's cohort can share a turn, with 1 every grant goes through the server.</summary>
    private static readonly (int Processes, int Callers)[] OneNameLayouts = [(4, 2), (8, 1)];

    private static readonly (string Kind, string Label)[] Contenders =
        [("padlock", "Padlock postgres:// (default: 2 ms / 64-grant cohort turn)"), ("padlock-strict", "Padlock postgres://...&slice=0ms (strict FIFO between processes)"),
         ("dl", "DistributedLock.Postgres")];

    /// <inheritdoc/>
    public string Name => "postgres-procs";

    /// <inheritdoc/>
    public async Task RunAsync(BenchSettings settings, Report report)
    {
        await using var server = await PostgresServer.StartAsync();
        await using var source = NpgsqlDataSource.Create(server.ConnectionString);
        await using (var create = source.CreateCommand(CounterRow.CreateTableSql)) await create.ExecuteNonQueryAsync();
        report.Line($"PostgreSQL 127.0.0.1:{server.Port} (fresh initdb, fsync on); every client its own OS process (this binary in worker mode); "
                    + $"each contender with its defaults; load average at the start {OneNameTable.LoadAverage()}.\n");

        // The critical section alone before and after the lock runs, the faster as the bound: other work on the machine
        // moves the cost of a commit, and a bound taken at a slow moment would flatter every lock.
        const string alone = "alone";
        await CounterRow.InsertAsync(source, alone);
        var before = await CriticalSectionAloneAsync(source, alone, "before the lock runs", settings);
        var handOff = await AdvisoryHandOff.MeasureAsync(server.ConnectionString, settings);
        var runs = new List<(string Label, int Processes, int Callers, ProcessRun Run, long Counter)>();
        foreach (var (processes, callers) in OneNameLayouts)
        {
            foreach (var (kind, label) in Contenders)
            {
                var prefix = $"procs-{kind}-{processes}x{callers}-{Guid.NewGuid().ToString("N")[..6]}:";
                await CounterRow.InsertAsync(source, prefix);
                var plan = WorkerPlan.For(kind, prefix, 1, callers, settings, prefix, server.Uri, server.ConnectionString);
                var run = await ProcessRun.RunAsync(PostgresLockWorker.Flag, processes, plan);
                await using var row = await CounterRow.OpenAsync(source, prefix);
                runs.Add((label, processes, callers, run, await row.ReadAsync()));
            }
        }
        var after = await CriticalSectionAloneAsync(source, alone, "after them", settings);

        report.Line("**1. Reference: the critical section alone (one process, back to back; before and after the lock runs), and one hand-off through the server between processes**\n");
        report.Table([before, after, handOff]);
        var cs = before.OpsPerSecond >= after.OpsPerSecond ? before : after;
        var bound = cs.OpsPerSecond;
        var serverFifo = 1000 / (handOff.P50 + cs.P50);
        report.Line($"\nCritical-section bound (no lock can grant faster on this counter; the faster of the two): **{Report.F(bound, "0")} grants/s**. "
                    + $"A lock that hands every grant to another process through the server: at most 1 / ({Report.F(handOff.P50)} + {Report.F(cs.P50)}) ms = **{Report.F(serverFifo, "0")} grants/s**.\n");

        report.Line("**2. One name, a counter row incremented under the lock by SELECT then UPDATE, each caller on its own open connection** (waits = acquire call until granted):\n");
        OneNameTable.Header(report, "critical-section bound");
        foreach (var (label, processes, callers, run, counter) in runs) OneNameTable.Row(report, label, processes, callers, run, counter, bound, settings);
        report.Line($"\nLoad average at the end {OneNameTable.LoadAverage()}. {OneNameTable.Legend}");
    }

    private static async Task<Stats> CriticalSectionAloneAsync(NpgsqlDataSource source, string name, string when, BenchSettings settings)
    {
        await using var row = await CounterRow.OpenAsync(source, name);
        return await Measure.RunAsync($"critical section alone (SELECT, then committed UPDATE), {when}", 1, settings, async _ => await row.IncrementAsync());
    }
}
