using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Padlock.LocalServers;

/// <summary>
/// One real server running as a child process on loopback, with its own temporary data directory.
/// Its output is kept so a failure to start can say why. Stop, start again (same port and data) and kill are
/// there for failure tests.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly string _program;
    private readonly string[] _args;
    private readonly Func<CancellationToken, Task<bool>> _ready;
    private readonly StringBuilder _output = new();
    private Process? _process;

    /// <summary>Describes the server; nothing runs until <see cref="StartAsync"/>.</summary>
    /// <param name="name">A label for messages ("redis 127.0.0.1:6379").</param>
    /// <param name="program">The executable's full path.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="dataDirectory">A directory the server owns; deleted on dispose.</param>
    /// <param name="ready">Returns true once the server answers.</param>
    public ServerProcess(string name, string program, string[] args, string dataDirectory, Func<CancellationToken, Task<bool>> ready)
    {
        Name = name;
        _program = program;
        _args = args;
        DataDirectory = dataDirectory;
        _ready = ready;
    }

    /// <summary>The label given at construction.</summary>
    public string Name { get; }

    /// <summary>The server's private directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The running process id, for signals (<see cref="Posix.Pause"/>).</summary>
    public int? ProcessId => IsRunning ? _process!.Id : null;

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The process's output so far (stdout and stderr).</summary>
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Makes a fresh temporary directory for a server.</summary>
    public static string NewDataDirectory(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), "padlock-tests", $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Starts the process and waits until it answers.</summary>
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        if (IsRunning) return;
        var psi = new ProcessStartInfo(_program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = DataDirectory,
        };
        foreach (var a in _args) psi.ArgumentList.Add(a);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} while starting. Output:\n{Tail()}");
            try
            {
                if (await _ready(cts.Token)) return;
            }
            catch (Exception) when (!cts.IsCancellationRequested)
            {
                // not up yet
            }
            if (cts.IsCancellationRequested)
                throw new TimeoutException($"{Name} did not answer within {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds} s. Output:\n{Tail()}");
            await Task.Delay(50);
        }
    }

    /// <summary>Kills the process (SIGKILL: no clean shutdown, as a crash would) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _process.WaitForExitAsync();
    }

    /// <summary>Stops the process gracefully (SIGTERM), falling back to kill after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (_process is null || _process.HasExited) return;
        Posix.Terminate(_process.Id);
        using var cts = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(10));
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { await KillAsync(); }
    }

    /// <summary>Stops the process and deletes its data directory.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>True once a TCP connection to 127.0.0.1:<paramref name="port"/> succeeds.</summary>
    public static async Task<bool> TcpAnswers(int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, ct);
        return true;
    }

    private string Tail()
    {
        var text = Output;
        return text.Length > 4000 ? text[^4000..] : text;
    }
}
