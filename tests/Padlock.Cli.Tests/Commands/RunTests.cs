using System.Globalization;
using Padlock.Cli.Tests.Infrastructure;
using Padlock.Testing;

namespace Padlock.Cli.Tests.Commands;

/// <summary><c>padlock run</c>: exit codes, the environment the command gets, exclusion, signals, unreachable stores.</summary>
[Collection(CliCollection.Name)]
public sealed class RunTests(StoreFixture stores)
{
    private const int SigInt = 2, SigTerm = 15;

    [Theory]
    [MemberData(nameof(TestStores.CrossProcess), MemberType = typeof(TestStores))]
    public async Task The_command_gets_the_token_and_name_and_its_exit_code_is_returned(string kind)
    {
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("job");

        var first = await CliProcess.RunAsync("run", name, "--store", uri, "--", "sh", "-c", "echo \"$PADLOCK_FENCING_TOKEN $PADLOCK_LOCK_NAME\"; exit 7");
        var second = await CliProcess.RunAsync("run", name, "--store", uri, "--", "sh", "-c", "echo \"$PADLOCK_FENCING_TOKEN\"");

        Assert.True(first.ExitCode == 7, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        var parts = first.Stdout.Trim().Split(' ');
        Assert.Equal(name, parts[1]);
        var token1 = long.Parse(parts[0], CultureInfo.InvariantCulture);
        var token2 = long.Parse(second.Stdout.Trim(), CultureInfo.InvariantCulture);
        Assert.True(token2 > token1, $"tokens must increase: {token1} then {token2}");
    }

    [Theory]
    [MemberData(nameof(TestStores.CrossProcess), MemberType = typeof(TestStores))]
    public async Task A_held_lock_is_busy_without_wait_and_times_out_with_one(string kind)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("nightly");
        await using var holder = await HoldAsync(uri, name, scratch);

        var busy = await CliProcess.RunAsync("run", name, "--store", uri, "--", "touch", scratch.File("ran"));
        var timedOut = await CliProcess.RunAsync("run", name, "--store", uri, "--wait", "300ms", "--", "touch", scratch.File("ran"));

        Assert.True(busy.ExitCode == 75, busy.ToString());
        Assert.Contains("busy", busy.Stderr, StringComparison.Ordinal);
        Assert.True(timedOut.ExitCode == 124, timedOut.ToString());
        Assert.Contains("timed out after 300ms", timedOut.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(scratch.File("ran")), "the command must not run without the lock");
    }

    [Fact]
    public async Task Wait_0_the_documented_default_tries_once()
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync("file");
        var name = LockName.Unique("once");

        var free = await CliProcess.RunAsync("run", name, "--store", uri, "--wait", "0", "--", "true");
        await using var holder = await HoldAsync(uri, name, scratch);
        var busy = await CliProcess.RunAsync("run", name, "--store", uri, "--wait", "0", "--", "true");

        Assert.True(free.ExitCode == 0, free.ToString());
        Assert.True(busy.ExitCode == 75, busy.ToString());
    }

    [Theory]
    [MemberData(nameof(TestStores.CrossProcess), MemberType = typeof(TestStores))]
    public async Task Concurrent_runs_with_wait_never_overlap(string kind)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("exclusive");
        // mkdir is atomic: it fails if another run is inside the critical section at the same time.
        var section = $"mkdir '{scratch.File("inside")}' || exit 99; sleep 0.1; echo x >> '{scratch.File("log")}'; rmdir '{scratch.File("inside")}'";

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            CliProcess.RunAsync("run", name, "--store", uri, "--wait", "60s", "--", "sh", "-c", section)));

        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(4, File.ReadAllLines(scratch.File("log")).Length);
    }

    [Theory]
    [MemberData(nameof(TestStores.Losable), MemberType = typeof(TestStores))]
    public async Task A_lost_lock_kills_the_command_and_its_children_with_exit_77(string kind)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("reports");
        var script = $"sleep 60 & echo $! > '{scratch.File("grandchild")}'; echo $$ > '{scratch.File("child")}'; wait";
        await using var run = CliProcess.Start(["run", name, "--store", uri, "--", "sh", "-c", script]);
        await Eventually.TrueAsync(() => File.Exists(scratch.File("grandchild")) && File.Exists(scratch.File("child")), "the command started");
        var child = ReadPid(scratch.File("child"));
        var grandchild = ReadPid(scratch.File("grandchild"));

        StoreFixture.MakeLost(kind, uri, name);
        var code = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(code == 77, $"exit {code}; {run.Stderr}");
        Assert.Contains("lost", run.Stderr, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => !Eventually.ProcessAlive(child) && !Eventually.ProcessAlive(grandchild), "the command's process tree is gone", TimeSpan.FromSeconds(10));
    }

    [Theory]
    [MemberData(nameof(TestStores.Losable), MemberType = typeof(TestStores))]
    public async Task A_lost_lock_with_warn_lets_the_command_finish_and_exits_76(string kind)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("reports");
        var script = $"touch '{scratch.File("started")}'; while [ ! -f '{scratch.File("go")}' ]; do sleep 0.02; done; touch '{scratch.File("finished")}'";
        await using var run = CliProcess.Start(["run", name, "--store", uri, "--on-lost", "warn", "--", "sh", "-c", script]);
        await Eventually.TrueAsync(() => File.Exists(scratch.File("started")), "the command started");

        StoreFixture.MakeLost(kind, uri, name);
        await Eventually.TrueAsync(() => run.Stderr.Contains("was lost", StringComparison.Ordinal), "padlock warned of the loss");
        File.WriteAllText(scratch.File("go"), "");
        var code = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(code == 76, $"exit {code}; {run.Stderr}");
        Assert.True(File.Exists(scratch.File("finished")), "the command ran to its end");
    }

    [Theory]
    [InlineData(SigTerm)]
    [InlineData(SigInt)]
    public async Task A_signal_reaches_the_command_and_the_lock_is_released(int signal)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync("file");
        var name = LockName.Unique("signalled");
        // The command records the signal it got and exits 42; a shell waiting on `sleep` runs its trap within 20 ms.
        var script = $"trap 'echo got > \"{scratch.File("got")}\"; exit 42' INT TERM; touch '{scratch.File("started")}'; while true; do sleep 0.02; done";
        await using var run = CliProcess.Start(["run", name, "--store", uri, "--", "sh", "-c", script]);
        await Eventually.TrueAsync(() => File.Exists(scratch.File("started")), "the command started");

        run.Signal(signal);
        var code = await run.WaitAsync(TimeSpan.FromSeconds(30));
        var after = await CliProcess.RunAsync("run", name, "--store", uri, "--", "true");

        Assert.True(code == 42, $"exit {code}; {run.Stderr}");
        Assert.True(File.Exists(scratch.File("got")), "the command received the signal");
        Assert.True(after.ExitCode == 0, "the lock was released: " + after);
    }

    [Theory]
    [MemberData(nameof(TestStores.CrossProcess), MemberType = typeof(TestStores))]
    public async Task Interrupted_while_waiting_exits_130_and_runs_nothing(string kind)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("waiting");
        await using var holder = await HoldAsync(uri, name, scratch);
        await using var waiter = CliProcess.Start(["run", name, "--store", uri, "--wait", "infinite", "--", "touch", scratch.File("ran")]);
        // Give it time to reach the wait (a signal before that ends it the same way); the lock is held, so it must still run.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(waiter.HasExited, waiter.Stderr);

        waiter.Signal(SigInt);
        var code = await waiter.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(code == 130, $"exit {code}; {waiter.Stderr}");
        Assert.False(File.Exists(scratch.File("ran")));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task A_file_that_cannot_be_executed_exits_126_and_releases_the_lock()
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync("file");
        var name = LockName.Unique("job");
        var script = scratch.File("not-executable.sh");
        File.WriteAllText(script, "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var result = await CliProcess.RunAsync("run", name, "--store", uri, "--", script);
        var after = await CliProcess.RunAsync("run", name, "--store", uri, "--", "true");

        Assert.True(result.ExitCode == 126, result.ToString());
        Assert.Contains("cannot start", result.Stderr, StringComparison.Ordinal);
        Assert.True(after.ExitCode == 0, after.ToString());
    }

    [Theory]
    [MemberData(nameof(TestStores.Unreachable), MemberType = typeof(TestStores))]
    public async Task An_unreachable_store_exits_69_naming_it(string uri)
    {
        var result = await CliProcess.RunAsync("run", "job", "--store", uri, "--", "true");

        Assert.True(result.ExitCode == 69, result.ToString());
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"store unreachable: {uri}", line, StringComparison.Ordinal);
    }

    /// <summary>Holds <paramref name="name"/> from another padlock process until disposed.</summary>
    internal static async Task<CliProcess> HoldAsync(string uri, string name, Scratch scratch)
    {
        var marker = scratch.File("holding-" + name);
        var holder = CliProcess.Start(["run", name, "--store", uri, "--", "sh", "-c", $"touch '{marker}'; exec sleep 120"]);
        await Eventually.TrueAsync(() => File.Exists(marker) || holder.HasExited, "the holder took the lock");
        if (holder.HasExited) throw new InvalidOperationException("the holder did not take the lock: " + holder.Stderr);
        return holder;
    }

    private static int ReadPid(string file) => int.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);
}
