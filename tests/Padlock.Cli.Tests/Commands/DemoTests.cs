using System.Net.Sockets;
using System.Text.Json;
using Padlock.Cli.Tests.Infrastructure;

namespace Padlock.Cli.Tests.Commands;

/// <summary><c>padlock demo</c>: every locked experiment ends with the exact total; the unlocked ones never exceed it.</summary>
[Collection(CliCollection.Name)]
public sealed class DemoTests(StoreFixture stores)
{
    [Fact]
    public async Task Without_arguments_it_runs_on_the_embedded_stores_and_says_how_to_add_others()
    {
        var result = await CliProcess.RunAsync("demo", "--processes", "3", "--increments", "100");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("threads, no lock", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("file://", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("--local-servers", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestStores.CrossProcess), MemberType = typeof(TestStores))]
    public async Task Locked_runs_are_exact_across_processes(string kind)
    {
        var uri = await stores.UriAsync(kind);

        var result = await CliProcess.RunAsync("demo", "--store", uri, "--processes", "3", "--increments", "150", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToList();
        Assert.Equal(5, rows.Count);
        foreach (var row in rows)
        {
            Assert.False(row.TryGetProperty("error", out var error), error.ToString());
            var total = row.GetProperty("total").GetInt64();
            var expected = row.GetProperty("expected").GetInt64();
            if (row.GetProperty("locked").GetBoolean()) Assert.Equal(expected, total);
            else Assert.InRange(total, 1, expected);
        }
        var storeRow = Assert.Single(rows, r => r.GetProperty("store").GetString() == uri);
        Assert.Equal(450, storeRow.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Local_servers_are_started_for_the_run_and_stopped_after()
    {
        var result = await CliProcess.RunAsync("demo", "--local-servers", "--processes", "2", "--increments", "20", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var rows = JsonDocument.Parse(result.Stdout).RootElement.EnumerateArray().ToList();
        var serverStores = rows.Select(r => r.GetProperty("store").GetString()!)
            .Where(s => s.StartsWith("redis://", StringComparison.Ordinal) || s.StartsWith("zk://", StringComparison.Ordinal) || s.StartsWith("etcd://", StringComparison.Ordinal))
            .ToList();
        Assert.True(serverStores.Count == 3, "expected a row for each of Redis, ZooKeeper and etcd\n" + result);
        foreach (var row in rows.Where(r => serverStores.Contains(r.GetProperty("store").GetString()!)))
        {
            Assert.False(row.TryGetProperty("error", out var error), error.ToString());
            Assert.Equal(40, row.GetProperty("total").GetInt64());
        }
        foreach (var store in serverStores)
        {
            var port = int.Parse(store.Split(':')[^1].TrimEnd('/'), System.Globalization.CultureInfo.InvariantCulture);
            Assert.False(await Answers(port), $"{store} still answers after the demo");
        }
    }

    private static async Task<bool> Answers(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
