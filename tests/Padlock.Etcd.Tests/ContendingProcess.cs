using System.Diagnostics;

namespace Padlock.Etcd.Tests;

/// <summary>
/// A second OS process (Padlock.LockHolder --loop) taking a lock again and again; each grant it prints is recorded,
/// with the test's clock, in a log shared by all the processes of a test.
/// </summary>
internal sealed class ContendingProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task _reading;
    private readonly List<string> _lines = [];

    private ContendingProcess(Process process, int index, GrantLog log)
    {
        _process = process;
        _reading = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_lines) _lines.Add(line);
                if (line.StartsWith("granted ", StringComparison.Ordinal)) log.Add(index, long.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture));
            }
        });
    }

    /// <summary>Everything the process printed so far (for failure messages).</summary>
    public string Output
    {
        get { lock (_lines) return string.Join(" | ", _lines.TakeLast(5)) + " | stderr: " + (_process.HasExited ? _process.StandardError.ReadToEnd() : "(running)"); }
    }

    /// <summary>Starts <c>--loop COUNT HOLD URI NAME</c>.</summary>
    public static ContendingProcess Start(int index, GrantLog log, string uri, string name, int count, string hold)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { HolderDll(), "--loop", count.ToString(System.Globalization.CultureInfo.InvariantCulture), hold, uri, name }) psi.ArgumentList.Add(a);
        return new ContendingProcess(Process.Start(psi)!, index, log);
    }

    /// <summary>Asks the process to stop after its current turn, and returns its exit code and last line.</summary>
    public async Task<(int ExitCode, string LastLine)> StopAsync(TimeSpan within)
    {
        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _reading.WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return (-1, "still running " + within.TotalSeconds + " s after stop: " + Output);
        }
        lock (_lines) return (_process.ExitCode, _lines.LastOrDefault() ?? "");
    }

    // Same place as Padlock.Testing's HolderProcess looks: tests/Padlock.LockHolder/bin/<configuration>/<tfm>/.
    internal static string HolderDll()
    {
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configDir = tfmDir.Parent!;
        var dll = Path.Combine(configDir.Parent!.Parent!.Parent!.FullName, "Padlock.LockHolder", "bin", configDir.Name, tfmDir.Name, "Padlock.LockHolder.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"The second-process lock holder is missing at {dll}: build tests/Padlock.LockHolder.");
        return dll;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>Every grant of a test's processes in the order the test saw them, timed by one stopwatch.</summary>
internal sealed class GrantLog
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<(TimeSpan At, int Process, long Token)> _grants = [];

    public TimeSpan Now => _clock.Elapsed;

    public void Add(int process, long token)
    {
        lock (_grants) _grants.Add((_clock.Elapsed, process, token));
    }

    public int Count
    {
        get { lock (_grants) return _grants.Count; }
    }

    /// <summary>When the last grant was seen (zero before the first).</summary>
    public TimeSpan Last
    {
        get { lock (_grants) return _grants.Count == 0 ? TimeSpan.Zero : _grants[^1].At; }
    }

    public IReadOnlyList<(TimeSpan At, int Process, long Token)> Snapshot()
    {
        lock (_grants) return [.. _grants];
    }
}
