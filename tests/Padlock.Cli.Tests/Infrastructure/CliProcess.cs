using System.Diagnostics;
using System.Text;

namespace Padlock.Cli.Tests.Infrastructure;

/// <summary>The padlock CLI running as a separate process (as users and cron run it), with its output captured.</summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private CliProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    public bool HasExited => _process.HasExited;

    /// <summary>Runs <c>padlock ARGS</c> to completion (60 s guard) and returns its exit code and output.</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        await using var p = Start(args);
        var code = await p.WaitAsync(TimeSpan.FromSeconds(90));
        return new CliResult(code, p.Stdout, p.Stderr);
    }

    public static CliProcess Start(IEnumerable<string> args, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        psi.ArgumentList.Add(CliDll());
        foreach (var a in args) psi.ArgumentList.Add(a);
        var process = new Process { StartInfo = psi };
        var cli = new CliProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (cli._stdout) cli._stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (cli._stderr) cli._stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cli;
    }

    /// <summary>Waits for exit; fails the test (after killing the process) if it runs longer than <paramref name="timeout"/>.</summary>
    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"padlock did not exit within {timeout.TotalSeconds} s.\nstdout: {Stdout}\nstderr: {Stderr}");
        }
        _process.WaitForExit(); // flushes the asynchronous output readers
        return _process.ExitCode;
    }

    private int _disposed;

    public void Signal(int signal) => _ = kill(_process.Id, signal);

    /// <summary>
    /// Ends padlock as a user would (SIGTERM: it passes the signal to the command, waits for it and releases the hold) and
    /// waits for it to exit; unlike <see cref="DisposeAsync"/>, which kills it and leaves a server store's hold to expire.
    /// </summary>
    public async Task<int> EndAsync()
    {
        Signal(15);
        return await WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    // tests/Padlock.Cli.Tests/bin/<configuration>/<tfm>/ -> src/Padlock.Cli/bin/<configuration>/<tfm>/Padlock.Cli.dll
    private static string CliDll()
    {
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configDir = tfmDir.Parent!;
        var root = configDir.Parent!.Parent!.Parent!.Parent!;
        var dll = Path.Combine(root.FullName, "src", "Padlock.Cli", "bin", configDir.Name, tfmDir.Name, "Padlock.Cli.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"The padlock CLI is missing at {dll}: build src/Padlock.Cli.");
        return dll;
    }

#pragma warning disable SYSLIB1054
    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
}

/// <summary>A finished padlock run.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
