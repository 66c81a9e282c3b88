using System.Globalization;
using Padlock.Cli.Tests.Infrastructure;
using Padlock.Testing;

namespace Padlock.Cli.Tests.Commands;

/// <summary>
/// <c>padlock run</c> killed with SIGKILL (no chance to clean up): the command must never run on without the lock while
/// a second copy of the job starts. File store: the command keeps the lock, as with flock(1). Network stores: the
/// command dies with padlock.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class RunKilledTests(StoreFixture stores)
{
    private const int SigKill = 9;

    [Theory]
    [MemberData(nameof(TestStores.Losable), MemberType = typeof(TestStores))]
    public async Task A_second_run_never_starts_while_the_command_of_a_killed_padlock_runs(string kind)
    {
        using var scratch = new Scratch();
        // A short lease, so a network lock left behind by the killed padlock frees within seconds.
        var uri = await stores.UriAsync(kind) + (kind == "redis" ? "?lease=2s" : "");
        var name = LockName.Unique("cron");
        var pidFile = scratch.File("pid");
        await using var first = CliProcess.Start(["run", name, "--store", uri, "--", "sh", "-c", $"echo $$ > '{pidFile}'; sleep 30"]);
        await Eventually.TrueAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), "the command started");
        var child = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(() => WithDescendants(child).Count > 1, "the command started its sleep");
        var tree = WithDescendants(child); // the shell and its `sleep`, which inherits the lock file too
        try
        {
            first.Signal(SigKill);
            await Eventually.TrueAsync(() => !Eventually.ProcessAlive(first.Pid), "padlock is dead");

            if (kind == "file")
            {
                // flock(1) semantics: the command holds the lock as long as it lives.
                var busy = await CliProcess.RunAsync("run", name, "--store", uri, "--", "true");
                Assert.True(Eventually.ProcessAlive(child), "the command outlives padlock on the file store, holding the lock");
                Assert.True(busy.ExitCode == 75, "the command of the killed padlock still holds the lock: " + busy);
                foreach (var pid in tree) _ = kill(pid, SigKill); // the job ends: the lock goes with its last holder
            }
            else
            {
                // Generous: the command gets SIGKILL from the kernel the moment padlock dies, and the processes it started
                // (here the shell's `sleep`) from the watchdog that kills its process group.
                await Eventually.TrueAsync(() => !Eventually.ProcessAlive(child), "the command died with padlock", TimeSpan.FromSeconds(10));
                await Eventually.TrueAsync(() => !tree.Any(Eventually.ProcessAlive), "every process the command started died with padlock", TimeSpan.FromSeconds(10));
            }

            // The second run records, as its first act, whether the first command still lived when it started.
            var seen = scratch.File("seen");
            var second = await CliProcess.RunAsync("run", name, "--store", uri, "--wait", "60s", "--", "sh", "-c", $"cat /proc/{child}/stat > '{seen}' 2>/dev/null; true");

            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.False(StatSaysAlive(File.ReadAllText(seen)), $"the second run started while the first command (pid {child}) still ran");
        }
        finally
        {
            foreach (var pid in tree.Where(Eventually.ProcessAlive)) _ = kill(pid, SigKill);
        }
    }

    private static List<int> WithDescendants(int pid)
    {
        var all = new List<int> { pid };
        for (var i = 0; i < all.Count; i++)
        {
            try
            {
                all.AddRange(File.ReadAllText($"/proc/{all[i]}/task/{all[i]}/children")
                    .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)));
            }
            catch (IOException)
            {
                // gone already
            }
        }
        return all;
    }

    // A /proc/PID/stat line, or nothing when the process is gone; a zombie has finished running.
    private static bool StatSaysAlive(string stat)
        => stat.Length > 0 && stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');

#pragma warning disable SYSLIB1054
    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
}
