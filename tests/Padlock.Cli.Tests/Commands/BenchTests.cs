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
