using System.Diagnostics;
using System.Globalization;

namespace Padlock.Bench.ZooKeeper;

/// <summary>
/// Curator's side: CuratorBench.java compiled once with javac against Debian's jars in /usr/share/java
/// (libcurator-*-java, zookeeper, guava, slf4j; scripts/servers.sh installs them), then one JVM per round.
/// </summary>
internal sealed class CuratorProcess : IDisposable
{
    private static readonly string[] Jars =
    [
        "curator-recipes.jar", "curator-framework.jar", "curator-client.jar", "zookeeper.jar", "zookeeper-jute.jar",
        "guava.jar", "slf4j-api.jar", "slf4j-nop.jar",
    ];

    private readonly string _directory;
    private readonly string _classPath;

    private CuratorProcess(string directory, string classPath)
    {
        _directory = directory;
        _classPath = classPath;
    }

    /// <summary>Compiles the program into a temporary directory; fails naming what is missing.</summary>
    public static async Task<CuratorProcess> CompileAsync()
    {
        var missing = Jars.Select(j => Path.Combine("/usr/share/java", j)).Where(p => !File.Exists(p)).ToArray();
        if (missing.Length > 0)
            throw new InvalidOperationException($"Curator's jars are missing ({string.Join(", ", missing)}): run `bash scripts/servers.sh install`.");
        var source = Path.Combine(AppContext.BaseDirectory, "curator", "CuratorBench.java");
        var directory = Directory.CreateTempSubdirectory("padlock-curator-").FullName;
        var classPath = string.Join(':', Jars.Select(j => Path.Combine("/usr/share/java", j)));
        var (code, output) = await RunAsync("javac", ["-d", directory, "-cp", classPath, source], TimeSpan.FromMinutes(2));
        if (code != 0) throw new InvalidOperationException($"javac failed ({code}): {output}");
        return new CuratorProcess(directory, classPath + ":" + directory);
    }

    /// <summary>One round in a fresh JVM; returns its RESULT line's figures.</summary>
    public async Task<CuratorRound> RunAsync(string connect, string mode, int workers, int permits, TimeSpan hold,
        TimeSpan warmup, TimeSpan duration, double readShare, string path)
    {
        string F(double v) => v.ToString(CultureInfo.InvariantCulture);
        var (code, output) = await RunAsync("java", ["-cp", _classPath, "CuratorBench", connect, mode, workers.ToString(CultureInfo.InvariantCulture),
            permits.ToString(CultureInfo.InvariantCulture), F(hold.TotalMilliseconds), F(warmup.TotalSeconds), F(duration.TotalSeconds), F(readShare), path],
            warmup + duration + TimeSpan.FromMinutes(1));
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (code != 0 || line is null) throw new InvalidOperationException($"CuratorBench {mode} failed ({code}): {output}");
        return CuratorRound.Parse(line.Trim());
    }

    private static async Task<(int Code, string Output)> RunAsync(string program, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {timeout}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
