using System.Text.Json;
using System.Text.RegularExpressions;
using Padlock.Cli.Tests.Infrastructure;
using Padlock.LocalServers;

namespace Padlock.Cli.Tests.Commands;

/// <summary><c>padlock bench</c>: the figures add up, the counter check holds, and the HTML report renders in a real browser.</summary>
[Collection(CliCollection.Name)]
public sealed partial class BenchTests(StoreFixture stores)
{
    [Fact]
    public async Task Several_stores_are_measured_on_the_same_workload_with_json_and_an_html_report_that_renders()
    {
        using var scratch = new Scratch();
        var uris = new List<string> { "mem://" };
        foreach (string kind in TestStores.CrossProcess) uris.Add(await stores.UriAsync(kind));
        string[] args = ["bench", "--workers", "3", "--locks", "2", "--ops", "300", "--counter", "--json", scratch.File("bench.json"), "--report", scratch.File("report.html")];

        var result = await CliProcess.RunAsync([.. args, .. uris.SelectMany(u => new[] { "--store", u })]);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var uri in uris) Assert.Contains(uri, result.Stdout, StringComparison.Ordinal);
        var rows = JsonDocument.Parse(File.ReadAllText(scratch.File("bench.json"))).RootElement.EnumerateArray().ToList();
        Assert.Equal(uris, rows.Select(r => r.GetProperty("store").GetString()));
        foreach (var row in rows)
        {
            Assert.Equal(300, row.GetProperty("acquisitions").GetInt64());
            Assert.Equal(0, row.GetProperty("failures").GetInt64());
            Assert.Equal(0, row.GetProperty("losses").GetInt64());
            var perWorker = row.GetProperty("perWorker").EnumerateArray().Select(e => e.GetInt64()).ToList();
            Assert.Equal(3, perWorker.Count);
            Assert.Equal(300, perWorker.Sum());
            var counter = row.GetProperty("counter");
            Assert.Equal(300, counter.GetProperty("expected").GetInt64());
            Assert.Equal(300, counter.GetProperty("actual").GetInt64());
            // The counter lives in the store under test, so the work under the lock costs what it would in an application.
            var store = row.GetProperty("store").GetString()!;
            var where = store.Split(':')[0] switch { "mem" => "memory", "file" => "file", "redis" => "Redis key", "zk" => "znode", "etcd" => "etcd key", var s => s };
            Assert.Equal(where, counter.GetProperty("where").GetString());
            var latency = row.GetProperty("latencyMs");
            Assert.True(latency.GetProperty("p50").GetDouble() <= latency.GetProperty("p99").GetDouble());
            Assert.True(latency.GetProperty("p99").GetDouble() <= latency.GetProperty("max").GetDouble());
            Assert.InRange(row.GetProperty("fairness").GetDouble(), 1.0 / 3 - 1e-9, 1.0 + 1e-9);
            Assert.InRange(row.GetProperty("histogramShare").EnumerateArray().Sum(e => e.GetDouble()), 0.999, 1.001);
        }

        var dom = await DumpDomAsync(scratch.File("report.html"));
        Assert.Contains($"data-rendered=\"{2 * uris.Count}\"", dom, StringComparison.Ordinal);
        Assert.Equal(2 * uris.Count, SeriesPath().Matches(dom).Count);
        foreach (var uri in uris) Assert.Contains($"data-store=\"{uri.Replace("&", "&amp;", StringComparison.Ordinal)}\"", dom, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("semaphore", "--permits", "3", "semaphore (3 permits)")]
    [InlineData("rw", "--reads", "0.8", "reader-writer lock (80 % reads)")]
    [InlineData("election", null, null, "election")]
    public async Task Every_primitive_is_measured_with_no_overlap_and_an_exact_counter(string primitive, string? option, string? value, string shown)
    {
        var uris = new List<string> { "mem://", await stores.UriAsync("file"), await stores.UriAsync("zk"), await stores.UriAsync("etcd") };
        List<string> args = ["bench", "--workers", "4", "--ops", "200", "--hold", "1ms", "--counter", "--primitive", primitive, "--json", "-"];
        if (option is not null) args.AddRange([option, value!]);

        var result = await CliProcess.RunAsync([.. args, .. uris.SelectMany(u => new[] { "--store", u })]);

        var rows = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(uris.Count, rows.Count);
        foreach (var row in rows)
        {
            var store = row.GetProperty("store").GetString()!;
            Assert.False(row.TryGetProperty("error", out _), $"{store}: {row}");
            Assert.Equal(shown, row.GetProperty("primitive").GetString());
            Assert.Equal(200, row.GetProperty("acquisitions").GetInt64());
            Assert.Equal(0, row.GetProperty("failures").GetInt64());
            Assert.Equal(0, row.GetProperty("overlaps").GetInt64());
            // Only exclusive holds (a writer, a leader) write the counter: it must count exactly those.
            var counter = row.GetProperty("counter");
            Assert.Equal(counter.GetProperty("expected").GetInt64(), counter.GetProperty("actual").GetInt64());
            if (primitive != "semaphore") Assert.True(counter.GetProperty("expected").GetInt64() > 0, $"{store}: {counter}");
        }
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Primitive_options_out_of_place_are_usage_errors()
    {
        var permits = await CliProcess.RunAsync("bench", "--store", "mem://", "--permits", "2");
        var reads = await CliProcess.RunAsync("bench", "--store", "mem://", "--primitive", "rw", "--reads", "1.5");
        var unknown = await CliProcess.RunAsync("bench", "--store", "mem://", "--primitive", "barrier");

        Assert.True(permits.ExitCode == 2, permits.ToString());
        Assert.Contains("--permits is for --primitive semaphore", permits.Stderr, StringComparison.Ordinal);
        Assert.True(reads.ExitCode == 2, reads.ToString());
        Assert.Contains("0 to 1", reads.Stderr, StringComparison.Ordinal);
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
    }

    [Fact]
    public async Task A_duration_run_reports_throughput_over_time()
    {
        var result = await CliProcess.RunAsync("bench", "--store", "mem://", "--workers", "2", "--duration", "1s", "--hold", "1ms", "--json", "-");

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = JsonDocument.Parse(result.Stdout).RootElement[0];
        Assert.InRange(row.GetProperty("seconds").GetDouble(), 1.0, 30.0);
        var timeline = row.GetProperty("timeline").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.InRange(timeline.Count, 10, 11);
        Assert.True(row.GetProperty("acquisitions").GetInt64() > 0);
        Assert.False(row.TryGetProperty("counter", out _), "no counter unless --counter");
    }

    [Theory]
    [MemberData(nameof(TestStores.Unreachable), MemberType = typeof(TestStores))]
    public async Task An_unreachable_store_is_reported_in_its_column_and_the_others_are_still_measured(string unreachable)
    {
        var result = await CliProcess.RunAsync("bench", "--store", "mem://", "--store", unreachable, "--ops", "50", "--json", "-");

        Assert.True(result.ExitCode == 1, result.ToString());
        var rows = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(50, rows[0].GetProperty("acquisitions").GetInt64());
        Assert.Contains($"store unreachable: {unreachable}", rows[1].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Opens the report in headless Chromium and returns the DOM after its scripts ran.</summary>
    private static async Task<string> DumpDomAsync(string htmlFile)
    {
        var chromium = ServerBinaries.Require("chromium", "chromium-browser", "google-chrome");
        var psi = new System.Diagnostics.ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + htmlFile }) psi.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var dom = process.StandardOutput.ReadToEndAsync(cts.Token);
        _ = process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        return await dom;
    }

    [GeneratedRegex("<path [^>]*class=\"series\"")]
    private static partial Regex SeriesPath();
}
