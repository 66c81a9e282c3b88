using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Padlock.Bench.RedisProcesses;

/// <summary>
/// Starts this bench binary again in a worker mode, one OS process per client, and starts their measured windows
/// together: each prints "ready" once connected, then all are sent the same start time on stdin.
/// </summary>
internal static class WorkerProcesses
{
    /// <summary>How long a worker may take to start and connect (32 .NET processes on a loaded 2-core machine are slow).</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(180);

    /// <summary>Starts one worker process with <paramref name="args"/> (the mode flag first).</summary>
    public static Process Start(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
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
    /// Runs one worker per entry of <paramref name="argsPerProcess"/>: after all are ready, a warm-up of
    /// <paramref name="warmup"/>, then the measured window; <paramref name="atStart"/> and <paramref name="atEnd"/>
    /// run in this process at the window's edges (server snapshots).
    /// </summary>
    /// <returns>Each worker's result line.</returns>
    public static async Task<WorkerResult[]> RunAsync(IReadOnlyList<string[]> argsPerProcess, TimeSpan warmup, TimeSpan duration, Func<Task>? atStart = null, Func<Task>? atEnd = null)
    {
        var processes = argsPerProcess.Select(Start).ToArray();
        try
        {
            await Task.WhenAll(processes.Select(ReadyAsync));
            var start = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
            var text = start.ToString(CultureInfo.InvariantCulture);
            foreach (var p in processes) await p.StandardInput.WriteLineAsync(text);
            foreach (var p in processes) await p.StandardInput.FlushAsync();
            if (atStart is not null)
            {
                await Until(start);
                await atStart();
            }
            if (atEnd is not null)
            {
                await Until(start + (long)(duration.TotalSeconds * Stopwatch.Frequency));
                await atEnd();
            }
            // Workers keep their connections open until stdin closes, so that the end snapshot still sees their sockets.
            foreach (var p in processes) p.StandardInput.Close();
            return await Task.WhenAll(processes.Select(async p =>
            {
                var lines = (await p.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                await p.WaitForExitAsync();
                var json = lines.LastOrDefault(l => l.StartsWith('{'));
                if (p.ExitCode != 0 || json is null) throw new InvalidOperationException($"worker {p.Id} exited {p.ExitCode} without a result");
                return JsonSerializer.Deserialize<WorkerResult>(json)!;
            }));
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

    private static async Task Until(long timestamp)
    {
        while (Stopwatch.GetTimestamp() < timestamp) await Task.Delay(5);
    }
}
