using System.Text.Json;
using Padlock.Cli.Tests.Infrastructure;

namespace Padlock.Cli.Tests.Commands;

/// <summary><c>padlock status</c>: free or held, as text and JSON.</summary>
[Collection(CliCollection.Name)]
public sealed class StatusTests(StoreFixture stores)
{
    [Theory]
    [MemberData(nameof(TestStores.CrossProcess), MemberType = typeof(TestStores))]
    public async Task Status_tells_free_from_held(string kind)
    {
        using var scratch = new Scratch();
        var uri = await stores.UriAsync(kind);
        var name = LockName.Unique("status");

        var free = await CliProcess.RunAsync("status", name, "--store", uri, "--json");
        CliResult held, heldJson;
        await using (await RunTests.HoldAsync(uri, name, scratch))
        {
            held = await CliProcess.RunAsync("status", name, "--store", uri);
            heldJson = await CliProcess.RunAsync("status", name, "--store", uri, "--json");
        }

        Assert.True(free.ExitCode == 0, free.ToString());
        var json = JsonDocument.Parse(free.Stdout).RootElement;
        Assert.Equal("free", json.GetProperty("state").GetString());
        Assert.Equal(name, json.GetProperty("name").GetString());
        Assert.True(held.ExitCode == 1, held.ToString());
        Assert.Matches(@"state\s+held", held.Stdout);
        var report = JsonDocument.Parse(heldJson.Stdout).RootElement;
        Assert.Equal("held", report.GetProperty("state").GetString());
        // Every store can tell who holds the lock: the holder is a padlock process on this machine.
        Assert.Equal("inspector", report.GetProperty("source").GetString());
        Assert.Contains(Environment.MachineName + "/", report.GetProperty("owner").GetString(), StringComparison.Ordinal);
        Assert.True(report.GetProperty("fencingToken").GetInt64() > 0, heldJson.Stdout);
    }
}
