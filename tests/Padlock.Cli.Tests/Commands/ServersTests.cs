using System.Text.Json;
using Padlock.Cli.Servers;
using Padlock.Cli.Tests.Infrastructure;
using Padlock.Testing;

namespace Padlock.Cli.Tests.Commands;

/// <summary>
/// <c>padlock servers</c> against the real binaries: servers outlive the CLI, answer in their own protocol, and
/// <c>stop</c> ends exactly the recorded processes. Each test has its own state directory.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class ServersTests
{
    [Fact]
    public async Task Start_status_stop_for_each_kind()
    {
        using var state = new Scratch();
        try
        {
            // No kind named: all four.
            var start = await CliProcess.RunAsync("servers", "start", "--state", state.Path, "--json");
            Assert.True(start.ExitCode == 0, start.ToString());
            var groups = JsonDocument.Parse(start.Stdout).RootElement.EnumerateArray().ToList();
            Assert.Equal(["redis", "zookeeper", "etcd", "postgres"], groups.Select(g => g.GetProperty("kind").GetString()));
            Assert.Equal(["redis://", "zk://", "etcd://", "postgres://"], groups.Select(g => g.GetProperty("uris")[0].GetString()![..(g.GetProperty("uris")[0].GetString()!.IndexOf("//", StringComparison.Ordinal) + 2)]));
            var servers = Servers(groups);
            // The CLI has exited; its servers still run and answer.
            foreach (var (kind, pid, port, _) in servers)
            {
                Assert.True(Eventually.ProcessAlive(pid), $"{kind} pid {pid} is not running");
                Assert.True(await ServerKind.All.Single(k => k.Name == kind).ReadyAsync(port, CancellationToken.None), $"{kind} on {port} does not answer");
            }

            var status = await CliProcess.RunAsync("servers", "status", "--state", state.Path, "--json");
            Assert.True(status.ExitCode == 0, status.ToString());
            var rows = JsonDocument.Parse(status.Stdout).RootElement.EnumerateArray().ToList();
            Assert.Equal(4, rows.Count);
            Assert.All(rows, r => Assert.True(r.GetProperty("running").GetBoolean() && r.GetProperty("answers").GetBoolean(), r.ToString()));
            // The PostgreSQL URI it printed is a working store.
            await using (var provider = LockProvider.Create(groups[3].GetProperty("uris")[0].GetString()!))
            await using (var held = await provider.CreateLock("servers-test").TryAcquireAsync(TimeSpan.FromSeconds(10)))
            {
                Assert.NotNull(held);
            }

            var stop = await CliProcess.RunAsync("servers", "stop", "--state", state.Path);
            Assert.True(stop.ExitCode == 0, stop.ToString());
            foreach (var (kind, pid, _, dir) in servers)
            {
                await Eventually.TrueAsync(() => !Eventually.ProcessAlive(pid), $"{kind} pid {pid} stopped", TimeSpan.FromSeconds(20));
                Assert.False(Directory.Exists(dir), $"{kind} data directory {dir} was deleted");
            }
            Assert.False(File.Exists(Path.Combine(state.Path, "servers.json")), "the state file is gone once nothing runs");
            var after = await CliProcess.RunAsync("servers", "status", "--state", state.Path);
            Assert.Contains("no servers", after.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await StopLeftoversAsync(state.Path);
        }
    }

    [Fact]
    public async Task A_cluster_forms_and_stop_by_kind_leaves_the_others_running()
    {
        using var state = new Scratch();
        try
        {
            var start = await CliProcess.RunAsync("servers", "start", "--redis", "--etcd", "--zookeeper", "--cluster", "3", "--state", state.Path, "--json");
            Assert.True(start.ExitCode == 0, start.ToString());
            var groups = JsonDocument.Parse(start.Stdout).RootElement.EnumerateArray().ToList();
            var uris = groups.SelectMany(g => g.GetProperty("uris").EnumerateArray().Select(u => u.GetString()!)).ToList();
            Assert.Contains(uris, u => u.StartsWith("redlock://", StringComparison.Ordinal) && u.Split(',').Length == 3);
            Assert.Contains(uris, u => u.StartsWith("etcd://", StringComparison.Ordinal) && u.Split(',').Length == 3);
            Assert.Contains(uris, u => u.StartsWith("zk://", StringComparison.Ordinal) && u.Split(',').Length == 3);
            var servers = Servers(groups);
            Assert.Equal(9, servers.Count);
            // ZooKeeper's srvr reports a Mode and etcd's /health is true only once each quorum has a leader.
            foreach (var (kind, _, port, _) in servers)
                Assert.True(await ServerKind.All.Single(k => k.Name == kind).ReadyAsync(port, CancellationToken.None), $"{kind} on {port} does not answer");

            var stop = await CliProcess.RunAsync("servers", "stop", "--redis", "--state", state.Path);

            Assert.True(stop.ExitCode == 0, stop.ToString());
            foreach (var (kind, pid, _, _) in servers)
            {
                if (kind == "redis") await Eventually.TrueAsync(() => !Eventually.ProcessAlive(pid), $"redis pid {pid} stopped", TimeSpan.FromSeconds(20));
                else Assert.True(Eventually.ProcessAlive(pid), $"{kind} pid {pid} must keep running");
            }
        }
        finally
        {
            await StopLeftoversAsync(state.Path);
        }
    }

    private static List<(string Kind, int Pid, int Port, string Dir)> Servers(List<JsonElement> groups)
        => [.. groups.SelectMany(g => g.GetProperty("servers").EnumerateArray()).Select(s => (
            s.GetProperty("kind").GetString()!, s.GetProperty("pid").GetInt32(), s.GetProperty("port").GetInt32(), s.GetProperty("dataDirectory").GetString()!))];

    // Whatever a failed test left: stop exactly the recorded PIDs.
    private static async Task StopLeftoversAsync(string stateDir)
    {
        var state = new ServerState(stateDir);
        await new ServerLauncher(state).StopAsync(state.Load());
    }
}
