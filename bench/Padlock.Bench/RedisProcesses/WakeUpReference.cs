using Padlock.Bench.Harness;
using Padlock.Bench.Processes;
using StackExchange.Redis;

namespace Padlock.Bench.RedisProcesses;

/// <summary>
/// The reference for strict first-come-first-served across processes: each grant then costs at least one
/// cross-process wake-up plus the critical section. The wake-up is measured as a Redis PUBLISH ping-pong between
/// this process and a child (<c>Padlock.Bench --redis-pong ENDPOINT</c>, which publishes back every message it
/// receives), halved; the critical section as GET then SET of a counter alone, back to back.
/// </summary>
internal static class WakeUpReference
{
    internal const string Flag = "--redis-pong";
    private static readonly RedisChannel Ping = RedisChannel.Literal("bench:ping");
    private static readonly RedisChannel Pong = RedisChannel.Literal("bench:pong");

    /// <summary>The child's side: publish every ping back as a pong until stdin closes.</summary>
    internal static async Task<int> PongAsync(string endpoint)
    {
        await using var mux = await ConnectionMultiplexer.ConnectAsync(endpoint);
        var sub = mux.GetSubscriber();
        await sub.SubscribeAsync(Ping, (_, message) => sub.Publish(Pong, message, CommandFlags.FireAndForget));
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        return 0;
    }

    /// <summary>One-way wake-up (round trip / 2) and the GET+SET critical section alone.</summary>
    public static async Task<(Stats OneWay, Stats CriticalSection)> MeasureAsync(string endpoint, BenchSettings settings)
    {
        using var child = WorkerProcesses.Start([Flag, endpoint]);
        await WorkerProcesses.ReadyAsync(child);
        await using var mux = await ConnectionMultiplexer.ConnectAsync(endpoint);
        var sub = mux.GetSubscriber();
        TaskCompletionSource? pending = null;
        await sub.SubscribeAsync(Pong, (_, _) => Volatile.Read(ref pending)?.TrySetResult());
        var roundTrip = await Measure.RunAsync("PUBLISH ping-pong round trip", 1, settings, async _ =>
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref pending, tcs);
            await sub.PublishAsync(Ping, "x");
            await tcs.Task;
        });
        child.StandardInput.Close();
        await child.WaitForExitAsync();
        var oneWay = roundTrip with
        {
            Label = "one-way cross-process wake-up (PUBLISH, round trip / 2)",
            P50 = roundTrip.P50 / 2,
            P90 = roundTrip.P90 / 2,
            P99 = roundTrip.P99 / 2,
            Max = roundTrip.Max / 2,
            OpsPerSecond = roundTrip.OpsPerSecond * 2,
        };
        var db = mux.GetDatabase();
        const string key = "bench:counter:alone";
        var cs = await Measure.RunAsync("critical section alone (GET then SET)", 1, settings, async _ =>
        {
            var value = (long)await db.StringGetAsync(key);
            await db.StringSetAsync(key, value + 1);
        });
        await db.KeyDeleteAsync(key);
        return (oneWay, cs);
    }
}
