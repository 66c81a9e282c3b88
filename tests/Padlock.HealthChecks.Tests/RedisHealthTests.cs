using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Padlock.LocalServers;
using Xunit;

namespace Padlock.HealthChecks.Tests;

/// <summary>The health check on a real redis-server: healthy while it runs, unhealthy once it is gone.</summary>
public sealed class RedisHealthTests
{
    [Fact]
    public async Task A_running_server_is_healthy_and_a_stopped_one_unhealthy_within_the_timeout()
    {
        var server = await RedisServer.StartAsync();
        var services = FileStoreHealthTests.Services().AddPadlock($"redis://{server.Endpoint}?connecttimeout=5s");
        // Threshold = timeout: the first probe connects, and on a loaded machine that may take over the default 1 s;
        // Degraded is tested on its own (FileStoreHealthTests) without depending on speed.
        services.AddHealthChecks().AddPadlock(configure: o => o.DegradedThreshold = o.Timeout = TimeSpan.FromSeconds(10));
        await using var sp = services.BuildServiceProvider();
        var health = sp.GetRequiredService<HealthCheckService>();
        try
        {
            var up = Assert.Single((await health.CheckHealthAsync()).Entries).Value;
            Assert.True(up.Status == HealthStatus.Healthy, $"{up.Status}: {up.Description} {up.Exception}");
            Assert.Equal("redis", up.Data["store"]);
        }
        finally
        {
            await server.DisposeAsync();
        }
        // Generous bound: reconnecting gives up after the 5 s connect timeout (the probe's own limit is 10 s), so the
        // check ends well within 30 s.
        var started = TimeProvider.System.GetTimestamp();
        var down = Assert.Single((await health.CheckHealthAsync()).Entries).Value;
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_server_that_never_ran_is_unhealthy_naming_the_endpoint()
    {
        var endpoint = $"127.0.0.1:{FreePort.Next()}";
        var entry = await FileStoreHealthTests.CheckAsync(
            s => s.AddPadlock($"redis://{endpoint}?connecttimeout=500ms"),
            h => h.AddPadlock(configure: o => o.Timeout = TimeSpan.FromSeconds(2)));
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains(endpoint, entry.Description, StringComparison.Ordinal);
    }
}
