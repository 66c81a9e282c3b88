using System.Text.Json;
using Padlock.Cli.Tests.Infrastructure;
using Padlock.Testing;

namespace Padlock.Cli.Tests.Commands;

/// <summary>
/// <c>padlock status NAME --semaphore N | --rw | --election</c> on a store that can inspect them: the holders and the
/// waiters in line, each copy of padlock its own OS process. file:// tells the holders (from /proc/locks) but not the
/// waiters, which leave no trace while they poll.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class StatusPrimitiveTests(StoreFixture stores)
{
    /// <summary>The server stores (waiters known) and file:// (waiters unknown).</summary>
    public static TheoryData<string> Kinds => ["file", "zk", "redis", "etcd", "postgres"];

    // postgres:// keeps one fencing row per name (the last grant), so permits have no token of their own, and a
    // candidate's value is written only when it is elected.
    private static bool KnowsPermitTokens(string kind) => kind is not ("file" or "postgres");

    private static bool KnowsWaitingValues(string kind) => kind is not ("file" or "postgres");

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Status_of_a_semaphore_lists_the_permit_holders_and_the_waiter(string kind)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("status-sem");
        await using var first = await HoldAsync(uri, name, scratch, "--semaphore", "2");
        await using var second = await HoldAsync(uri, name, scratch, "--semaphore", "2");
        await using var third = CliProcess.Start(["run", name, "--store", uri, "--semaphore", "2", "--wait", "120s", "--", "true"]);

        var report = await SettledAsync(uri, name, kind, 2, ["--semaphore", "2"]);
        var text = await CliProcess.RunAsync("status", name, "--store", uri, "--semaphore", "2");

        Assert.Equal("full", report.GetProperty("state").GetString());
        Assert.Equal("inspector", report.GetProperty("source").GetString());
        Assert.Equal(2, report.GetProperty("permits").GetInt32());
        var holders = report.GetProperty("holders").EnumerateArray().ToList();
        Assert.Equal(2, holders.Count);
        Assert.All(holders, h => Assert.Contains(Environment.MachineName + "/", h.GetProperty("owner").GetString(), StringComparison.Ordinal));
        // Each permit its own token.
        if (KnowsPermitTokens(kind)) Assert.Equal(2, holders.Select(h => h.GetProperty("fencingToken").GetInt64()).Distinct().Count());
        if (kind != "file") Assert.Single(report.GetProperty("waiting").EnumerateArray());
        Assert.True(text.ExitCode == 1, text.ToString());
        Assert.Matches(@"permits held\s+2 of 2", text.Stdout);
        Assert.Contains(kind == "file" ? "not known to this store" : "waits #1", text.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Status_of_a_reader_writer_lock_lists_the_reader_and_the_waiting_writer(string kind)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("status-rw");
        await using var reader = await HoldAsync(uri, name, scratch, "--rw", "read");
        await using var writer = CliProcess.Start(["run", name, "--store", uri, "--rw", "write", "--wait", "120s", "--", "true"]);

        var report = await SettledAsync(uri, name, kind, 1, ["--rw"]);

        Assert.Equal("read-held", report.GetProperty("state").GetString());
        var holder = Assert.Single(report.GetProperty("holders").EnumerateArray());
        Assert.Equal("read", holder.GetProperty("mode").GetString());
        if (kind != "file")
        {
            var waiting = Assert.Single(report.GetProperty("waiting").EnumerateArray());
            Assert.Equal("write", waiting.GetProperty("mode").GetString());
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Status_of_an_election_lists_the_leader_and_the_candidate_in_line(string kind)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("status-el");
        await using var leader = await HoldAsync(uri, name, scratch, "--elect", "--value", "node-a");
        await using var follower = CliProcess.Start(["run", name, "--store", uri, "--elect", "--value", "node-b", "--", "true"]);

        var report = await SettledAsync(uri, name, kind, 1, ["--election"]);
        var text = await CliProcess.RunAsync("status", name, "--store", uri, "--election");

        Assert.Equal("led", report.GetProperty("state").GetString());
        // The leader's value and term stay where they always were, and the holders list says the same.
        Assert.Equal("node-a", report.GetProperty("owner").GetString());
        var head = Assert.Single(report.GetProperty("holders").EnumerateArray());
        Assert.Equal("node-a", head.GetProperty("value").GetString());
        Assert.Equal(report.GetProperty("fencingToken").GetInt64(), head.GetProperty("fencingToken").GetInt64());
        if (KnowsWaitingValues(kind)) Assert.Equal("node-b", Assert.Single(report.GetProperty("waiting").EnumerateArray()).GetProperty("value").GetString());
        Assert.True(text.ExitCode == 1, text.ToString());
        Assert.Contains("node-a", text.Stdout, StringComparison.Ordinal);
        if (KnowsWaitingValues(kind)) Assert.Contains("node-b", text.Stdout, StringComparison.Ordinal);
    }

    // Reads the JSON status until it shows the holders expected and (on a store that lists them) one waiter: the
    // waiting copy of padlock joins the line a moment after it starts.
    private static async Task<JsonElement> SettledAsync(string uri, string name, string kind, int holders, string[] primitive)
    {
        var result = await Eventually.ValueAsync(
            async () => await CliProcess.RunAsync(["status", name, "--store", uri, .. primitive, "--json"]),
            r =>
            {
                if (r.ExitCode != 1) return false;
                var root = JsonDocument.Parse(r.Stdout).RootElement;
                if (!root.TryGetProperty("holders", out var h) || h.GetArrayLength() != holders) return false;
                return kind == "file" ? !root.TryGetProperty("waiting", out _) : root.TryGetProperty("waiting", out var w) && w.GetArrayLength() == 1;
            }, "status shows the holders and the waiter");
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    /// <summary>Starts <c>padlock run</c> with the given primitive options and waits until its command runs.</summary>
    private static async Task<CliProcess> HoldAsync(string uri, string name, Scratch scratch, params string[] primitive)
    {
        var marker = scratch.File("holding-" + Guid.NewGuid().ToString("N")[..8]);
        var holder = CliProcess.Start(["run", name, "--store", uri, .. primitive, "--", "sh", "-c", $"touch '{marker}'; exec sleep 120"]);
        await Eventually.TrueAsync(() => File.Exists(marker) || holder.HasExited, "the holder took its hold");
        if (holder.HasExited) throw new InvalidOperationException("the holder did not take its hold: " + holder.Stderr);
        return holder;
    }
}
