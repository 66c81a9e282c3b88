using System.Diagnostics;

namespace Padlock.Etcd.Tests.Sharding;

/// <summary>A Padlock.LockHolder process in one of its shard modes: lines in, every line out kept and awaitable.</summary>
internal sealed class HolderLines : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _reading;

    public HolderLines(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ContendingProcess.HolderDll());
        foreach (var a in args) psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _reading = Task.Run(async () =>
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (_lines) _lines.Add(line);
                _arrived.Release();
            }
        });
    }

    public int Pid => _process.Id;

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    public string Tail => string.Join(" | ", Lines.TakeLast(6));

    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Waits for a line (after the first <paramref name="skip"/>) that matches, failing with the output so far.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan within, int skip = 0, string? what = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var found = Lines.Skip(skip).FirstOrDefault(match);
            if (found is not null) return found;
            if (deadline.Elapsed > within || (_reading.IsCompleted && !Lines.Skip(skip).Any(match)))
                throw new TimeoutException($"No {what ?? "expected line"} within {within.TotalSeconds} s from the holder process {Pid}; it printed: {Tail}; stderr: {(_process.HasExited ? await _process.StandardError.ReadToEndAsync() : "(running)")}");
            await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Sends a command and returns the first line printed after it.</summary>
    public async Task<string> AskAsync(string command, TimeSpan within)
    {
        var before = Lines.Count;
        await SendAsync(command);
        return await WaitForAsync(_ => true, within, before, $"answer to '{command}'");
    }

    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        await _process.WaitForExitAsync(cts.Token);
        await _reading;
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { Padlock.LocalServers.Posix.Resume(_process.Id); _process.Kill(); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
