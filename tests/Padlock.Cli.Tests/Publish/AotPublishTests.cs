using System.Diagnostics;
using System.Text.RegularExpressions;
using Padlock.Cli.Tests.Infrastructure;

namespace Padlock.Cli.Tests.Publish;

/// <summary>
/// An app published with Native AOT (samples/Padlock.Samples.Aot) finds its stores from the URI alone and locks on real
/// servers, and the publish shows no trim or AOT warning: the stores are found without reflection the compiler cannot see.
/// </summary>
[Collection(CliCollection.Name)]
public sealed partial class AotPublishTests(StoreFixture stores)
{
    [Fact]
    public async Task A_native_aot_app_locks_on_redis_and_etcd_and_publishes_without_warnings()
    {
        using var scratch = new Scratch();
        var output = scratch.File("aot");
        var publish = await RunAsync("dotnet", ["publish", Path.Combine(RepoRoot(), "samples", "Padlock.Samples.Aot"), "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo"], TimeSpan.FromMinutes(15));

        Assert.True(publish.Code == 0, "publish failed:\n" + publish.Output);
        var warnings = TrimOrAotWarning().Matches(publish.Output).Select(m => m.Value).Distinct().ToList();
        Assert.True(warnings.Count == 0, "trim/AOT warnings:\n" + string.Join('\n', warnings));
        var native = Path.Combine(output, "Padlock.Samples.Aot");
        Assert.True(File.Exists(native), "no native executable at " + native);
        Assert.False(File.Exists(Path.Combine(output, "Padlock.dll")), "a Native AOT app carries no managed assemblies");

        foreach (var kind in new[] { "redis", "etcd" })
        {
            var run = await RunAsync(native, [await stores.UriAsync(kind)], TimeSpan.FromSeconds(60));
            Assert.True(run.Code == 0, $"{kind}: exit {run.Code}\n{run.Output}");
            Assert.Matches(@"lock \d+", run.Output);
            Assert.Matches(@"semaphore \d+", run.Output);
        }
    }

    [Fact]
    public async Task Padlock_published_as_a_native_binary_runs_commands_and_writes_json()
    {
        using var scratch = new Scratch();
        var output = scratch.File("cli");
        var publish = await RunAsync("dotnet", ["publish", Path.Combine(RepoRoot(), "src", "Padlock.Cli"), "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-o", output, "-nologo"], TimeSpan.FromMinutes(20));

        Assert.True(publish.Code == 0, "publish failed:\n" + publish.Output);
        var warnings = TrimOrAotWarning().Matches(publish.Output).Select(m => m.Value).Distinct().ToList();
        Assert.True(warnings.Count == 0, "trim/AOT warnings:\n" + string.Join('\n', warnings));
        var padlock = Path.Combine(output, "Padlock.Cli");
        var file = await stores.UriAsync("file");
        var redis = await stores.UriAsync("redis");

        var run = await RunAsync(padlock, ["run", "native", "--store", file, "--", "sh", "-c", "echo token=$PADLOCK_FENCING_TOKEN"], TimeSpan.FromSeconds(60));
        var permit = await RunAsync(padlock, ["run", "native", "--store", redis, "--semaphore", "2", "--", "sh", "-c", "echo token=$PADLOCK_FENCING_TOKEN"], TimeSpan.FromSeconds(60));
        var status = await RunAsync(padlock, ["status", "native", "--store", redis, "--json"], TimeSpan.FromSeconds(60));
        // demo starts worker processes through its own executable: the native binary, not `dotnet Padlock.Cli.dll`.
        var demo = await RunAsync(padlock, ["demo", "--store", file, "--processes", "2", "--increments", "20", "--json"], TimeSpan.FromMinutes(3));

        Assert.True(run.Code == 0, run.Output);
        Assert.Matches(@"token=\d+", run.Output);
        Assert.True(permit.Code == 0, permit.Output);
        Assert.Matches(@"token=\d+", permit.Output);
        Assert.True(status.Code == 0, status.Output);
        Assert.Equal("free", System.Text.Json.JsonDocument.Parse(status.Output).RootElement.GetProperty("state").GetString());
        Assert.True(demo.Code == 0, demo.Output);
    }

    [GeneratedRegex(@"(warning IL\d{4}[^\r\n]*|AOT analysis warning[^\r\n]*|Trim analysis warning[^\r\n]*)")]
    private static partial Regex TrimOrAotWarning();

    private static async Task<(int Code, string Output)> RunAsync(string program, string[] args, TimeSpan limit)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {limit}:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }

    // tests/Padlock.Cli.Tests/bin/<configuration>/<tfm>/ -> the repository root.
    private static string RepoRoot()
        => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
}
