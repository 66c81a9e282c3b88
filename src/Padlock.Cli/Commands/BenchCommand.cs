using System.CommandLine;
using Padlock.Cli.Bench;
using Padlock.Cli.Common;
using Padlock.Cli.Output;
using Padlock.Cli.Primitives;
using Spectre.Console;

namespace Padlock.Cli.Commands;

/// <summary>
/// <c>padlock bench --store URI [--store URI ...] [--workers N] [--locks K] [--hold D] [--duration D | --ops N]
/// [--counter] [--primitive lock|semaphore|rw|election [--permits N] [--reads P]] [--report FILE.html] [--json FILE]</c>:
/// the stress test, each store in turn on the same workload.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var stores = new Option<string[]>("--store", "-s") { Description = "A store to measure (repeatable; measured in turn on the same workload).", Required = true };
        var workers = new Option<int>("--workers", "-w") { Description = "Concurrent workers, each its own client.", DefaultValueFactory = _ => 4 };
        var locks = new Option<int>("--locks", "-k") { Description = "Lock names the workers pick from at random (1: all contend for one).", DefaultValueFactory = _ => 1 };
        var hold = new Option<string>("--hold") { Description = "How long each acquisition holds the lock.", DefaultValueFactory = _ => "0ms" };
        var duration = new Option<string?>("--duration", "-d") { Description = "How long to run per store (default 5s)." };
        var ops = new Option<long?>("--ops", "-n") { Description = "Total acquisitions per store, instead of a duration." };
        var counter = new Option<bool>("--counter") { Description = "Read-increment-write a counter under each acquisition and check the total at the end." };
        var timeout = new Option<string>("--acquire-timeout") { Description = "Longest wait of one acquire before it counts as a failure.", DefaultValueFactory = _ => "10s" };
        var report = new Option<string?>("--report") { Description = "Write a self-contained HTML report with charts to this file." };
        var json = new Option<string?>("--json") { Description = "Write the raw figures as JSON to this file ('-' for standard output)." };
        var primitive = new Option<string>("--primitive") { Description = "What each acquisition takes: lock (default), semaphore (one of --permits), rw (a read or a write, --reads of them reads) or election (a campaign; release resigns).", DefaultValueFactory = _ => "lock" };
        primitive.AcceptOnlyFromAmong("lock", "semaphore", "rw", "election");
        var permits = new Option<int?>("--permits") { Description = "With --primitive semaphore: the semaphore's permits (default 4)." };
        var reads = new Option<double?>("--reads") { Description = "With --primitive rw: the share of acquisitions that read, 0 to 1 (default 0.9)." };
        var command = new Command("bench", "Stress-test stores: workers acquire, hold (optionally updating a counter) and release; per store: acquisitions/s, latency percentiles, wait, fairness, failures, losses, counter check.")
        {
            stores, workers, locks, hold, duration, ops, counter, timeout, report, json, primitive, permits, reads,
        };
        command.SetAction(async (p, _) =>
        {
            var uris = p.GetValue(stores)!;
            await StoreOpener.CheckAllAsync(uris);
            if (p.GetValue(duration) is not null && p.GetValue(ops) is not null)
                throw new UsageException("give --duration or --ops, not both");
            // Checked before measuring, so a bad path fails at once rather than after the whole run.
            if (p.GetValue(report) is { } reportFile) Args.OutputFile(reportFile, "--report");
            if (p.GetValue(json) is { } jsonOut and not "-") Args.OutputFile(jsonOut, "--json");
            var chosen = Primitive(p.GetValue(primitive)!, p.GetValue(permits), p.GetValue(reads));
            var n = p.GetValue(ops);
            if (n is < 1) throw new UsageException($"invalid value {n} for --ops: expected a positive number");
            var options = new BenchOptions(
                Args.Positive(p.GetValue(workers), "--workers", 1024),
                Args.Positive(p.GetValue(locks), "--locks", 100_000),
                Args.Duration(p.GetValue(hold), "--hold"),
                n is null ? Args.Duration(p.GetValue(duration) ?? "5s", "--duration") : null,
                n,
                p.GetValue(counter),
                Args.Duration(p.GetValue(timeout), "--acquire-timeout"),
                chosen);
            var results = await RunAllAsync(context, uris, options);
            var jsonFile = p.GetValue(json);
            if (jsonFile == "-") Console.WriteLine(Json.Serialize(results));
            else BenchTable.Print(context.Terminal, results);
            if (jsonFile is not null and not "-") await File.WriteAllTextAsync(jsonFile, Json.Serialize(results));
            if (p.GetValue(report) is { } html)
            {
                HtmlReport.Write(html, results, "padlock " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));
                if (jsonFile != "-") context.Terminal.Text($"report: {Path.GetFullPath(html)}");
            }
            var bad = results.Any(r => r.Error is not null || r.Counter is { Ok: false } || r.Losses > 0 || r.Failures > 0 || r.Overlaps > 0);
            return bad ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return command;
    }

    private static Primitive Primitive(string kind, int? permits, double? reads)
    {
        if (permits is not null && kind != "semaphore") throw new UsageException("--permits is for --primitive semaphore only");
        if (reads is not null && kind != "rw") throw new UsageException("--reads is for --primitive rw only");
        return kind switch
        {
            "semaphore" => Primitives.Primitive.Semaphore(Args.Positive(permits ?? 4, "--permits", Padlock.Stores.SemaphoreLimits.MaxCount)),
            "rw" => reads is >= 0 and <= 1 ? new ReadWriteMix(reads ?? 0.9) : reads is null ? new ReadWriteMix(0.9)
                : throw new UsageException($"invalid value {reads} for --reads: expected a share from 0 to 1"),
            "election" => Primitives.Primitive.Election($"{Environment.MachineName}:{Environment.ProcessId}"),
            _ => Primitives.Primitive.Lock,
        };
    }

    private static async Task<List<BenchResult>> RunAllAsync(CliContext context, string[] uris, BenchOptions options)
    {
        var work = Path.Combine(Path.GetTempPath(), "padlock-bench", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(work);
        try
        {
            var results = new List<BenchResult>();
            foreach (var uri in uris)
            {
                var runner = new BenchRunner(options, work);
                var run = runner.RunAsync(uri, context.Interrupted);
                if (context.Terminal.Interactive) await ShowProgressAsync(context.Terminal, uri, options, runner, run);
                else Console.Error.WriteLine($"padlock: measuring {StoreOpener.Shown(uri)} ...");
                results.Add(await run);
            }
            return results;
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { }
        }
    }

    private static Task ShowProgressAsync(Terminal t, string uri, BenchOptions options, BenchRunner runner, Task run)
        => t.Out.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(uri), maxValue: 100);
                var started = DateTime.UtcNow;
                while (!run.IsCompleted)
                {
                    task.Value = options.Ops is { } ops
                        ? 100.0 * runner.Acquired / ops
                        : 100.0 * Math.Min(1, (DateTime.UtcNow - started) / options.Duration!.Value);
                    task.Description = $"{Markup.Escape(uri)}  {runner.Acquired:N0} acquisitions";
                    await Task.WhenAny(run, Task.Delay(100));
                }
                task.Value = 100;
            });
}
