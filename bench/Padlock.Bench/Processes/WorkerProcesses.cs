using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Padlock.Bench.Processes;

/// <summary>
/// Starts this bench binary again in a worker mode, one OS process per client, and starts their measured windows
/// together: each prints "ready" once connected, then all are sent the same start time on stdin.
/// </summary>
internal static class WorkerProcesses
{
    /// <summary>How long a worker may take to start and connect (32 .NET processes on a loaded 2-core machine are slow).</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(180);

    /// <summary>How many workers start at once.</summary>
    private static readonly int StartBatch = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>Starts one worker process with <paramref name="args"/> (the mode flag first).</summary>
    public static Process Start(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(typeof(WorkerProcesses).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[worker {p.Id}] {e.Data}"); };
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Waits for the worker's "ready" line.</summary>
    public static async Task ReadyAsync(Process p)
    {
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        while (true)
        {
            var line = await p.StandardOutput.ReadLineAsync(timeout.Token)
                       ?? throw new InvalidOperationException($"worker {p.Id} exited before it was ready (exit code {(p.HasExited ? p.ExitCode : -1)})");
            if (line == "ready") return;
        }
    }

    /// <summary>
    /// Runs one worker per entry of <paramref name="argsPerProcess"/> (each warms up on its own before "ready"), starts
    /// their windows together, and collects their results. <paramref name="idleBefore"/> runs when all are ready and
    /// none has started, <paramref name="idleAfter"/> when all have reported and none has exited (server snapshots).
    /// </summary>
    /// <returns>Each worker's result line.</returns>
    public static async Task<WorkerResult[]> RunAsync(IReadOnlyList<string[]> argsPerProcess, Func<Task>? idleBefore = null, Func<Task>? idleAfter = null)
    {
        var processes = new List<Process>();
        try
        {
            // A few at a time: 32 .NET processes starting at once on 2 busy cores miss the clients' 5 s connect timeouts.
            foreach (var batch in argsPerProcess.Chunk(StartBatch))
            {
                var started = batch.Select(Start).ToArray();
                processes.AddRange(started);
                await Task.WhenAll(started.Select(ReadyAsync));
            }
            if (idleBefore is not null) await idleBefore();
            var start = (Stopwatch.GetTimestamp() + Stopwatch.Frequency / 5).ToString(CultureInfo.InvariantCulture);
            foreach (var p in processes) await p.StandardInput.WriteLineAsync(start);
            foreach (var p in processes) await p.StandardInput.FlushAsync();
            var results = await Task.WhenAll(processes.Select(async p =>
            {
                var json = await p.StandardOutput.ReadLineAsync()
                           ?? throw new InvalidOperationException($"worker {p.Id} exited without a result");
                return JsonSerializer.Deserialize<WorkerResult>(json)!;
            }));
            if (idleAfter is not null) await idleAfter();
            foreach (var p in processes) p.StandardInput.Close();
            foreach (var p in processes) await p.WaitForExitAsync();
            return results;
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited) p.Kill();
                p.Dispose();
            }
        }
    }
}
