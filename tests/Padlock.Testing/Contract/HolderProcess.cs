using System.Diagnostics;

namespace Padlock.Testing.Contract;

/// <summary>A second OS process (Padlock.LockHolder) holding a lock, for cross-process tests.</summary>
public sealed class HolderProcess : IAsyncDisposable
{
    private readonly Process _process;

    private HolderProcess(Process process, long token)
    {
        _process = process;
        FencingToken = token;
    }

    /// <summary>The fencing token the other process was granted.</summary>
    public long FencingToken { get; }

    /// <summary>The process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts the holder and waits until it reports the lock acquired.</summary>
    public static Task<HolderProcess> AcquireAsync(string storeUri, string name, TimeSpan? timeout = null)
        => StartAsync(storeUri, name, timeout, null);

    /// <summary>Starts a holder of the reader-writer lock <paramref name="name"/> in <paramref name="mode"/> ("read" or "write") and waits until it holds it.</summary>
    public static Task<HolderProcess> AcquireReaderWriterAsync(string storeUri, string name, string mode, TimeSpan? timeout = null)
        => StartAsync(storeUri, name, timeout, mode);

    /// <summary>Starts a campaigner in the election <paramref name="name"/> (value "holder-PID") and waits until it leads; its token is the term.</summary>
    public static Task<HolderProcess> CampaignAsync(string storeUri, string name, TimeSpan? timeout = null)
        => StartAsync(storeUri, name, timeout, "elect");

    private static async Task<HolderProcess> StartAsync(string storeUri, string name, TimeSpan? timeout, string? mode)
    {
        var dll = HolderDll();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add(storeUri);
        psi.ArgumentList.Add(name);
        psi.ArgumentList.Add("30s");
        if (mode is not null) psi.ArgumentList.Add(mode);
        var process = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        var line = await process.StandardOutput.ReadLineAsync(cts.Token);
        if (line is null || !line.StartsWith("acquired ", StringComparison.Ordinal))
        {
            var err = await process.StandardError.ReadToEndAsync(cts.Token);
            process.Kill();
            throw new InvalidOperationException($"The holder process did not acquire '{name}' on {storeUri}: '{line}' {err}");
        }
        return new HolderProcess(process, long.Parse(line["acquired ".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    // tests/<project>/bin/<configuration>/<tfm>/ -> tests/Padlock.LockHolder/bin/<configuration>/<tfm>/Padlock.LockHolder.dll
    internal static string HolderDll()
    {
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configDir = tfmDir.Parent!;
        var testsDir = configDir.Parent!.Parent!.Parent!;
        var dll = Path.Combine(testsDir.FullName, "Padlock.LockHolder", "bin", configDir.Name, tfmDir.Name, "Padlock.LockHolder.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"The second-process lock holder is missing at {dll}: build tests/Padlock.LockHolder.");
        return dll;
    }

    /// <summary>Asks the holder to release and waits for it to exit.</summary>
    public async Task ReleaseAsync()
    {
        await _process.StandardInput.WriteLineAsync("release");
        await _process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>Kills the holder without letting it release: the store must notice (file: at once; leases: on expiry).</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) await KillAsync();
        _process.Dispose();
    }
}
