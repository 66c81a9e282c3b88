using System.Text.Json;
using Padlock.Cli.Tests.Infrastructure;

namespace Padlock.Cli.Tests.Commands;

/// <summary>
/// <c>padlock verify</c> at CI size (a few seconds per row, real servers verify starts itself): each asserts the verdict
/// the measurement gives, so a regression in a store's safety, or in the checker, shows here.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class VerifyTests
{
    [Fact]
    public async Task File_store_with_holders_killed_keeps_exclusion_and_loses_no_update()
    {
        using var scratch = new Scratch();
        var row = await RunOneAsync("--store", $"file://{scratch.File("locks")}", "--fault", "kill", "--clients", "3", "--duration", "2s");

        Assert.Equal("safe", row.GetProperty("outcome").GetString());
        Assert.True(row.GetProperty("grants").GetInt64() > 0, row.ToString());
        Assert.Equal(0, row.GetProperty("overlaps").GetInt64());
        Assert.Equal(0, row.GetProperty("lostUpdates").GetInt64());
        var kill = row.GetProperty("faults")[0];
        Assert.StartsWith("client ", kill.GetProperty("target").GetString(), StringComparison.Ordinal);
        // The kernel drops a dead process's flock at once: the next client is granted quickly (a generous bound).
        Assert.InRange(kill.GetProperty("recoverMs").GetDouble(), 0, 5000);
    }

    [Fact]
    public async Task Redis_without_persistence_restarted_hands_out_tokens_that_go_backwards()
    {
        var row = await RunOneAsync("--local-servers", "redis", "--fault", "restart", "--clients", "3", "--duration", "2s");

        // The fencing counter lived only in memory: after the restart tokens start again from the bottom.
        Assert.Equal("unsafe", row.GetProperty("outcome").GetString());
        Assert.True(row.GetProperty("tokensBackwards").GetInt64() + row.GetProperty("tokensRepeated").GetInt64() > 0, row.ToString());
    }

    [Fact]
    public async Task Redis_holder_paused_past_its_lease_overlaps_and_fencing_stops_its_stale_write()
    {
        // A long hold between read and write, so the SIGSTOP lands inside the read-modify-write.
        var row = await RunOneAsync("--local-servers", "redis", "--fault", "pause", "--fenced", "--hold", "200ms", "--clients", "3", "--duration", "2s");

        Assert.True(row.GetProperty("overlaps").GetInt64() > 0, row.ToString());
        Assert.Equal(0, row.GetProperty("overlapsLossNotifiedFirst").GetInt64()); // a frozen process hears nothing
        Assert.True(row.GetProperty("staleStopped").GetInt64() > 0, row.ToString());
        Assert.Equal(0, row.GetProperty("staleWritesAccepted").GetInt64());
        Assert.Equal(0, row.GetProperty("lostUpdates").GetInt64());
        Assert.Equal("safe with fencing", row.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Redis_callers_handing_the_lock_around_inside_processes_stay_safe_when_a_process_is_killed_in_its_turn()
    {
        // Three callers per process: the store hands the lock between them (bounded batching) and the killed process
        // dies holding the key with callers queued behind; the others take over after its lease.
        var row = await RunOneAsync("--local-servers", "redis", "--fault", "kill", "--clients", "3", "--callers", "3", "--hold", "1ms", "--duration", "2s");

        Assert.Equal("safe", row.GetProperty("outcome").GetString());
        Assert.True(row.GetProperty("grants").GetInt64() > 0, row.ToString());
        Assert.Equal(0, row.GetProperty("overlaps").GetInt64());
        Assert.Equal(0, row.GetProperty("lostUpdates").GetInt64());
        Assert.Equal(0, row.GetProperty("tokensBackwards").GetInt64() + row.GetProperty("tokensRepeated").GetInt64());
    }

    [Fact]
    public async Task A_redis_semaphore_holder_paused_past_its_lease_is_counted_as_a_holder_beyond_the_permits()
    {
        // The frozen holder still "holds" in its own log while its permit's lease runs out and is granted again: more
        // holders than permits, which the checker must see (its teeth) and call unsafe (no fencing for shared holds).
        var row = await RunOneAsync("--local-servers", "redis", "--primitive", "semaphore", "--permits", "2", "--fault", "pause", "--clients", "4", "--hold", "50ms", "--duration", "2s");

        Assert.Equal("semaphore(2)", row.GetProperty("primitive").GetString());
        Assert.True(row.GetProperty("overlaps").GetInt64() > 0, row.ToString());
        Assert.Contains("beyond 2 permits", row.GetProperty("verdict").GetString(), StringComparison.Ordinal);
        Assert.Equal("unsafe", row.GetProperty("outcome").GetString());
        Assert.Equal(0, row.GetProperty("lostUpdates").GetInt64());
    }

    [Theory]
    [InlineData("zk", "semaphore")]
    [InlineData("etcd", "rw")]
    [InlineData("redis", "election")]
    public async Task Primitives_with_holders_killed_keep_their_limits_and_tokens(string kind, string primitive)
    {
        var row = await RunOneAsync("--local-servers", kind, "--primitive", primitive, "--fault", "kill", "--clients", "4", "--hold", "5ms", "--duration", "3s");

        Assert.Equal("safe", row.GetProperty("outcome").GetString());
        Assert.True(row.GetProperty("grants").GetInt64() > 0, row.ToString());
        Assert.Equal(0, row.GetProperty("overlaps").GetInt64());
        Assert.Equal(0, row.GetProperty("lostUpdates").GetInt64());
        Assert.Equal(0, row.GetProperty("tokensBackwards").GetInt64() + row.GetProperty("tokensRepeated").GetInt64());
        // The killed holder's hold ends with its session or lease: the others go on (a generous bound, 2 s sessions/leases).
        Assert.InRange(row.GetProperty("faults")[0].GetProperty("recoverMs").GetDouble(), 0, 15_000);
    }

    [Theory]
    [InlineData("zk")]
    [InlineData("etcd")]
    public async Task A_holder_cut_off_from_a_consensus_store_hears_its_loss_before_anyone_else_is_granted(string kind)
    {
        // A hold longer than the session or lease, so the cut lands inside it and outlasts it.
        var row = await RunOneAsync("--local-servers", kind, "--fault", "partition", "--fenced", "--hold", "1500ms", "--clients", "3", "--duration", "3s");

        var cut = row.GetProperty("faults")[0];
        Assert.Equal("partition", cut.GetProperty("kind").GetString());
        Assert.StartsWith("client ", cut.GetProperty("target").GetString(), StringComparison.Ordinal);
        // The store moved on without the cut-off client, within its session or lease and a re-check (generous bound).
        Assert.InRange(cut.GetProperty("recoverMs").GetDouble(), 0, 15_000);
        // Unlike a frozen holder, a cut-off one is running and its own clock tells it first: the client gives up at a
        // fraction of the session or lease, the store only at its end. Every overlap, if any, follows that report.
        Assert.Equal(row.GetProperty("overlaps").GetInt64(), row.GetProperty("overlapsLossNotifiedFirst").GetInt64());
        Assert.Equal(0, row.GetProperty("staleWritesAccepted").GetInt64());
        Assert.Equal(0, row.GetProperty("lostUpdates").GetInt64());
        Assert.Equal(0, row.GetProperty("tokensRepeated").GetInt64() + row.GetProperty("tokensBackwards").GetInt64());
    }

    [Fact]
    public async Task A_redis_holder_cut_off_past_its_lease_loses_it_and_fencing_stops_its_stale_write()
    {
        var row = await RunOneAsync("--local-servers", "redis", "--fault", "partition", "--fenced", "--hold", "1500ms", "--clients", "3", "--duration", "3s");

        var cut = row.GetProperty("faults")[0];
        Assert.Equal("partition", cut.GetProperty("kind").GetString());
        Assert.InRange(cut.GetProperty("recoverMs").GetDouble(), 0, 15_000);
        // The lease (1 s) runs out at the server while the holder, cut off, is still inside: the next client is granted
        // and the old holder's late write is refused by the fenced register.
        Assert.Equal(0, row.GetProperty("staleWritesAccepted").GetInt64());
        Assert.Equal(0, row.GetProperty("lostUpdates").GetInt64());
        Assert.NotEqual("unsafe", row.GetProperty("outcome").GetString());
    }

    [Theory]
    [InlineData("zk-3")]
    [InlineData("etcd-3")]
    public async Task A_cluster_whose_leader_is_killed_in_a_loop_keeps_exclusion_and_never_stalls(string kind)
    {
        var row = await RunOneAsync("--local-servers", kind, "--fault", "failover", "--clients", "3", "--duration", "6s");

        Assert.Equal("safe", row.GetProperty("outcome").GetString());
        Assert.Equal(0, row.GetProperty("overlaps").GetInt64());
        Assert.Equal(0, row.GetProperty("lostUpdates").GetInt64());
        var kill = row.GetProperty("faults")[0];
        Assert.Equal("failover", kill.GetProperty("kind").GetString());
        Assert.StartsWith("leader node ", kill.GetProperty("target").GetString(), StringComparison.Ordinal);
        // Grants go on through each election. The lock is never left free for long while clients wait: the etcd
        // failover defect (issue 15) left it free for over 10 s, and for minutes with infinite waits. The bound allows
        // an election, a session or lease (2 s) running out, and a re-check, on a loaded machine.
        Assert.InRange(row.GetProperty("longestIdleMs").GetDouble(), 0, 8_000);
    }

    [Fact]
    public async Task Postgres_with_holders_killed_keeps_exclusion_and_frees_the_lock_with_the_session()
    {
        var row = await RunOneAsync("--local-servers", "postgres", "--fault", "kill", "--fenced", "--clients", "3", "--duration", "3s");

        Assert.Equal("safe", row.GetProperty("outcome").GetString());
        Assert.True(row.GetProperty("grants").GetInt64() > 0, row.ToString());
        Assert.Equal(0, row.GetProperty("overlaps").GetInt64());
        Assert.Equal(0, row.GetProperty("lostUpdates").GetInt64());
        // A killed client's socket closes at once; the server ends its session and frees its advisory lock.
        Assert.InRange(row.GetProperty("faults")[0].GetProperty("recoverMs").GetDouble(), 0, 5000);
    }

    [Fact]
    public async Task A_sentinel_failover_runs_and_the_lock_is_granted_again_on_the_new_master()
    {
        var row = await RunOneAsync("--local-servers", "redis-sentinel", "--fault", "failover", "--pause", "4s", "--clients", "3", "--duration", "3s");

        var kill = row.GetProperty("faults")[0];
        Assert.StartsWith("master ", kill.GetProperty("target").GetString(), StringComparison.Ordinal);
        Assert.True(kill.GetProperty("recoverMs").ValueKind == JsonValueKind.Number, row.ToString());
        Assert.True(row.GetProperty("grants").GetInt64() > 0, row.ToString());
        // Whether the failover lost the lock's state is what the row reports (docs/stores/redis.md), not asserted here:
        // it depends on what had replicated when the master died.
    }

    [Fact]
    public async Task An_etcd_cluster_with_a_follower_frozen_keeps_exclusion_and_granting()
    {
        var row = await RunOneAsync("--local-servers", "etcd-3", "--fault", "member-pause", "--clients", "3", "--duration", "3s");

        Assert.Equal("safe", row.GetProperty("outcome").GetString());
        Assert.StartsWith("follower node ", row.GetProperty("faults")[0].GetProperty("target").GetString(), StringComparison.Ordinal);
        // Clients that talked to the frozen member move on within the request timeout and a re-check (issue 15, defect 2).
        Assert.InRange(row.GetProperty("longestIdleMs").GetDouble(), 0, 8_000);
    }

    [Fact]
    public async Task A_failover_needs_a_cluster()
    {
        using var scratch = new Scratch();
        var result = await CliProcess.RunAsync("verify", "--store", $"file://{scratch.File("locks")}", "--fault", "failover", "--clients", "2", "--duration", "1s", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = JsonDocument.Parse(result.Stdout).RootElement[0];
        Assert.Equal("not run", row.GetProperty("outcome").GetString());
        Assert.Contains("--local-servers zk-3, etcd-3, redlock or redis-sentinel", row.GetProperty("notRun").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_partition_needs_a_network_store()
    {
        using var scratch = new Scratch();
        var result = await CliProcess.RunAsync("verify", "--store", $"file://{scratch.File("locks")}", "--fault", "partition", "--clients", "2", "--duration", "1s", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = JsonDocument.Parse(result.Stdout).RootElement[0];
        Assert.Equal("not run", row.GetProperty("outcome").GetString());
        Assert.Contains("no network between client and store", row.GetProperty("notRun").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mem_store_is_refused_as_a_usage_error()
    {
        var result = await CliProcess.RunAsync("verify", "--store", "mem://");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("mem://", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--fault", "meteor")]
    [InlineData("--local-servers", "oracle")]
    [InlineData("--clients", "1")]
    [InlineData("--callers", "0")]
    [InlineData("--callers", "17")]
    [InlineData("--primitive", "barrier")]
    public async Task Bad_options_are_usage_errors(string option, string value)
    {
        var result = await CliProcess.RunAsync("verify", "--store", "file:///tmp/padlock-verify-usage", option, value);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(value, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("expected 2 to 16", "--primitive", "semaphore", "--permits", "1")]
    [InlineData("expected 2 to 16", "--primitive", "semaphore", "--permits", "17")]
    [InlineData("--primitive semaphore only", "--permits", "3")]
    [InlineData("shared holds", "--primitive", "rw", "--fenced")]
    [InlineData("nobody would ever wait", "--primitive", "semaphore", "--permits", "4", "--clients", "2", "--callers", "2")]
    public async Task Bad_primitive_options_are_usage_errors_that_say_what_is_allowed(string expected, params string[] args)
    {
        var result = await CliProcess.RunAsync(["verify", "--store", "file:///tmp/padlock-verify-usage", .. args]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fault_the_store_cannot_take_is_named_and_the_rest_runs()
    {
        using var scratch = new Scratch();
        var result = await CliProcess.RunAsync("verify", "--store", $"file://{scratch.File("locks")}", "--fault", "restart", "--fault", "none",
            "--clients", "2", "--duration", "1s", "--json", "--report", scratch.File("verify.html"));

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal("not run", rows[0].GetProperty("outcome").GetString());
        Assert.Contains("file:// has no server", rows[0].GetProperty("notRun").GetString(), StringComparison.Ordinal);
        Assert.Equal("safe", rows[1].GetProperty("outcome").GetString());
        var html = await File.ReadAllTextAsync(scratch.File("verify.html"));
        Assert.Contains("id=\"timelines\"", html, StringComparison.Ordinal);
        Assert.Contains("file:// has no server", html, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> RunOneAsync(params string[] args)
    {
        var result = await CliProcess.RunAsync(["verify", "--json", .. args]);
        Assert.True(result.ExitCode is 0 or 1, result.ToString());
        var rows = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(1, rows.GetArrayLength());
        Assert.False(rows[0].TryGetProperty("notRun", out var why), why.ToString());
        return rows[0].Clone();
    }
}
