using System.Diagnostics;
using Padlock.LocalServers;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>
/// Runs alone (no parallel tests): its assertion is about the order of two events in time. The loss is declared a
/// tenth of the lease early; on a loaded two-core machine the process can stall for most of a second, so the lease
/// here is long enough (8 s, margin 0.8 s) that a stall does not blur the order.
/// </summary>
[Collection(Name)]
public sealed class ServerStopTests
{
    public const string Name = "redis-server-stop";

    [Fact]
    public async Task LostToken_fires_before_the_lease_ends_when_the_server_stops()
    {
        await using var server = await RedisServer.StartAsync();
        var lease = TimeSpan.FromSeconds(8);
        await using var provider = LockProvider.Create($"redis://{server.Endpoint}?lease=8s&connecttimeout=2s");
        await using var h = await provider.CreateLock("stopped").AcquireAsync();
        var fired = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        await server.Process.StopAsync();
        var stoppedAt = clock.Elapsed;
        h.LostToken.Register(() => fired.TrySetResult(clock.Elapsed));
        Assert.True(await Task.WhenAny(fired.Task, Task.Delay(TimeSpan.FromSeconds(15))) == fired.Task, "LostToken did not fire after the server stopped.");
        // Safety, not speed: the last renewal happened before the stop, so the key can live at most one lease
        // after the stop; the holder must have been told by then.
        Assert.True(await fired.Task - stoppedAt < lease, $"LostToken fired {(await fired.Task - stoppedAt).TotalSeconds:0.00} s after the stop, after the {lease.TotalSeconds} s lease.");
    }
}

[CollectionDefinition(ServerStopTests.Name, DisableParallelization = true)]
public sealed class ServerStopCollection
{
}
