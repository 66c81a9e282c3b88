using System.Globalization;
using System.Text.Json;
using Padlock.Cli.Tests.Infrastructure;
using Padlock.Testing;

namespace Padlock.Cli.Tests.Commands;

/// <summary>
/// <c>padlock run --semaphore N</c>, <c>--rw read|write</c> and <c>--elect</c>, and <c>padlock status</c> for those
/// primitives: each copy of padlock is its own OS process, as on separate machines.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class RunPrimitiveTests(StoreFixture stores)
{
    /// <summary>Cross-process stores with semaphores.</summary>
    public static TheoryData<string> WithSemaphores => ["file", "redis", "zk", "etcd", "postgres"];

    /// <summary>Cross-process stores with reader-writer locks.</summary>
    public static TheoryData<string> WithReaderWriterLocks => ["file", "redis", "zk", "etcd", "postgres"];

    /// <summary>Cross-process stores with elections.</summary>
    public static TheoryData<string> WithElections => ["file", "redis", "zk", "etcd", "postgres"];

    [Theory]
    [MemberData(nameof(WithSemaphores))]
    public async Task At_most_N_copies_run_under_a_semaphore_and_the_next_is_busy_until_one_ends(string kind)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("sem");
        await using var first = await HoldAsync(uri, name, scratch, "--semaphore", "2");
        await using var second = await HoldAsync(uri, name, scratch, "--semaphore", "2");

        var busy = await CliProcess.RunAsync("run", name, "--store", uri, "--semaphore", "2", "--", "touch", scratch.File("third"));
        var status = await CliProcess.RunAsync("status", name, "--store", uri, "--semaphore", "2", "--json");
        var mismatch = await CliProcess.RunAsync("run", name, "--store", uri, "--semaphore", "3", "--", "true");

        Assert.True(busy.ExitCode == 75, busy.ToString());
        Assert.Contains("no free permit", busy.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(scratch.File("third")), "a third copy ran beside two holders of a 2-permit semaphore");
        Assert.True(status.ExitCode == 1, status.ToString());
        Assert.Equal("full", JsonDocument.Parse(status.Stdout).RootElement.GetProperty("state").GetString());
        // Holders that disagree on N are an error the store detects, not a third permit.
        Assert.NotEqual(0, mismatch.ExitCode);
        Assert.Contains("maxCount", mismatch.Stderr, StringComparison.Ordinal);

        await first.EndAsync();
        var after = await Eventually.ValueAsync(
            async () => await CliProcess.RunAsync("run", name, "--store", uri, "--semaphore", "2", "--", "sh", "-c", "echo $PADLOCK_FENCING_TOKEN"),
            r => r.ExitCode == 0, "a permit is free once one copy ended");
        Assert.True(long.Parse(after.Stdout.Trim(), CultureInfo.InvariantCulture) > 0, after.ToString());
    }

    [Theory]
    [MemberData(nameof(WithReaderWriterLocks))]
    public async Task Readers_run_together_and_a_writer_runs_alone(string kind)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("rw");
        await using (var holder = await HoldAsync(uri, name, scratch, "--rw", "read"))
        {
            var reader = await CliProcess.RunAsync("run", name, "--store", uri, "--rw", "read", "--", "touch", scratch.File("read"));
            var writer = await CliProcess.RunAsync("run", name, "--store", uri, "--rw", "write", "--", "touch", scratch.File("write"));
            var status = await CliProcess.RunAsync("status", name, "--store", uri, "--rw", "--json");
            Assert.True(reader.ExitCode == 0, reader.ToString());
            Assert.True(writer.ExitCode == 75, writer.ToString());
            Assert.False(File.Exists(scratch.File("write")), "a writer ran beside a reader");
            Assert.Equal("read-held", JsonDocument.Parse(status.Stdout).RootElement.GetProperty("state").GetString());
            await holder.EndAsync(); // released, not left to expire: the writer below gets it at once
        }
        // The plain lock of the same name is another namespace: it is free while the reader-writer lock is held.
        await using (await HoldAsync(uri, name, scratch, "--rw", "write"))
        {
            var reader = await CliProcess.RunAsync("run", name, "--store", uri, "--rw", "read", "--", "true");
            var plain = await CliProcess.RunAsync("run", name, "--store", uri, "--", "true");
            Assert.True(reader.ExitCode == 75, reader.ToString());
            Assert.True(plain.ExitCode == 0, plain.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(WithElections))]
    public async Task Only_the_leader_runs_and_a_follower_takes_over_with_a_higher_term(string kind)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("elect");
        var go = scratch.File("leader-may-end");
        var leader = CliProcess.Start(["run", name, "--store", uri, "--elect", "--value", "node-a", "--", "sh", "-c",
            $"echo $PADLOCK_FENCING_TOKEN > '{scratch.File("term-a")}'; while [ ! -e '{go}' ]; do sleep 0.05; done"]);
        await using var _ = leader;
        await Eventually.TrueAsync(() => File.Exists(scratch.File("term-a")) || leader.HasExited, "node-a was elected");
        // The follower waits (--elect waits forever by default) and must not run while node-a leads.
        var follower = CliProcess.Start(["run", name, "--store", uri, "--elect", "--value", "node-b", "--", "sh", "-c",
            $"echo $PADLOCK_FENCING_TOKEN > '{scratch.File("term-b")}'"]);
        await using var __ = follower;
        var led = await Eventually.ValueAsync(
            async () => await CliProcess.RunAsync("status", name, "--store", uri, "--election", "--json"),
            r => r.ExitCode == 1, "status shows a leader");
        var report = JsonDocument.Parse(led.Stdout).RootElement;
        Assert.Equal("node-a", report.GetProperty("owner").GetString());
        var termA = long.Parse(File.ReadAllText(scratch.File("term-a")).Trim(), CultureInfo.InvariantCulture);
        Assert.Equal(termA, report.GetProperty("fencingToken").GetInt64());
        Assert.False(follower.HasExited, "the follower must wait while node-a leads: " + follower.Stderr);
        Assert.False(File.Exists(scratch.File("term-b")), "the follower ran while node-a led");

        File.WriteAllText(go, "");
        Assert.Equal(0, await leader.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await follower.WaitAsync(TimeSpan.FromSeconds(30)) == 0, follower.Stderr);
        var termB = long.Parse(File.ReadAllText(scratch.File("term-b")).Trim(), CultureInfo.InvariantCulture);
        Assert.True(termB > termA, $"term {termB} after {termA}");
        var nobody = await CliProcess.RunAsync("status", name, "--store", uri, "--election");
        Assert.True(nobody.ExitCode == 0, nobody.ToString());
        Assert.Contains("no leader", nobody.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_primitive_the_store_lacks_and_bad_combinations_are_usage_errors()
    {
        var uri = await stores.UriAsync("file");
        // Redlock has no elections (independent masters have no line); the store is refused before any connection.
        var noElection = await CliProcess.RunAsync("run", "job", "--store", "redlock://127.0.0.1:1,127.0.0.1:2,127.0.0.1:3", "--elect", "--", "true");
        var both = await CliProcess.RunAsync("run", "job", "--store", uri, "--semaphore", "2", "--elect", "--", "true");
        var zero = await CliProcess.RunAsync("run", "job", "--store", uri, "--semaphore", "0", "--", "true");
        var rw = await CliProcess.RunAsync("run", "job", "--store", uri, "--rw", "both", "--", "true");
        var value = await CliProcess.RunAsync("run", "job", "--store", uri, "--value", "x", "--", "true");
        var status = await CliProcess.RunAsync("status", "job", "--store", uri, "--rw", "--election");

        Assert.True(noElection.ExitCode == 2, noElection.ToString());
        Assert.Contains("no leader elections", noElection.Stderr, StringComparison.Ordinal);
        Assert.True(both.ExitCode == 2, both.ToString());
        Assert.Contains("at most one of", both.Stderr, StringComparison.Ordinal);
        Assert.True(zero.ExitCode == 2, zero.ToString());
        Assert.Contains("--semaphore", zero.Stderr, StringComparison.Ordinal);
        Assert.True(rw.ExitCode == 2, rw.ToString());
        Assert.Contains("read or write", rw.Stderr, StringComparison.Ordinal);
        Assert.True(value.ExitCode == 2, value.ToString());
        Assert.True(status.ExitCode == 2, status.ToString());
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
