using System.Diagnostics;
using System.Globalization;
using Padlock.Cli.Common;

namespace Padlock.Cli.Demo;

/// <summary>
/// The experiment across OS processes: this CLI re-invoked as N workers (<c>padlock worker demo</c>) increments a
/// counter file, with a lock from the given store or with none. Workers start together on a "go" file so they overlap.
/// </summary>
internal static class ProcessRace
{
    public static async Task<DemoResult> RunAsync(string? storeUri, int processes, int increments, string workDir, CancellationToken ct)
    {
        var label = storeUri is null ? "processes, no lock" : "processes, lock";
        var store = storeUri ?? "-";
        var expected = (long)processes * increments;
        var run = Path.Combine(workDir, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(run);
        var counter = Path.Combine(run, "counter");
        var go = Path.Combine(run, "go");
        CounterFile.Reset(counter);
        var workers = new List<Process>();
        try
        {
            for (var i = 0; i < processes; i++)
            {
                var args = new List<string> { "worker", "demo", "--counter", counter, "--go", go, "--increments", increments.ToString(CultureInfo.InvariantCulture) };
                if (storeUri is not null) args.AddRange(["--store", storeUri]);
                var psi = SelfProcess.StartInfo(args);
                psi.RedirectStandardOutput = true;
                psi.RedirectStandardError = true;
                workers.Add(Process.Start(psi)!);
            }
            foreach (var w in workers)
            {
                var line = await w.StandardOutput.ReadLineAsync(ct);
                if (line != "ready")
                    return new DemoResult(label, store, expected, null, 0, storeUri is not null, Error: await FailureAsync(w, line));
            }
            var sw = Stopwatch.StartNew();
            await File.WriteAllTextAsync(go, "", ct);
            foreach (var w in workers) await w.WaitForExitAsync(ct);
            var elapsed = sw.Elapsed.TotalSeconds;
            var failed = workers.FirstOrDefault(w => w.ExitCode != 0);
            if (failed is not null)
                return new DemoResult(label, store, expected, null, elapsed, storeUri is not null, Error: await FailureAsync(failed, null));
            using var file = new CounterFile(counter);
            return new DemoResult(label, store, expected, file.Read(), elapsed, storeUri is not null);
        }
        finally
        {
            foreach (var w in workers)
            {
                if (!w.HasExited) w.Kill(entireProcessTree: true);
                w.Dispose();
            }
            try { Directory.Delete(run, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<string> FailureAsync(Process worker, string? line)
    {
        if (!worker.HasExited) worker.Kill();
        var err = (await worker.StandardError.ReadToEndAsync()).Trim();
        var text = err.Length > 0 ? err : line ?? "worker exited";
        return text.Replace("padlock: ", "", StringComparison.Ordinal).Split('\n')[0];
    }
}
