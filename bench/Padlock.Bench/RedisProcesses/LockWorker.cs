using Padlock.Bench.Processes;
using Padlock.Bench.Redis;
using StackExchange.Redis;

namespace Padlock.Bench.RedisProcesses;

/// <summary>
/// One OS process of the redis-procs suite: <c>Padlock.Bench --redis-lock-worker PLAN... ENDPOINT</c> (see
/// <see cref="WorkerPlan"/>), run by <see cref="LockLoop"/>. When the plan has a counter it is a Redis key,
/// incremented under the lock by GET then SET.
/// </summary>
internal static class LockWorker
{
    internal const string Flag = "--redis-lock-worker";

    internal static async Task<int> RunAsync(string[] args)
    {
        var plan = WorkerPlan.Parse(args);
        var endpoint = plan.Store[0];
        var contender = plan.Kind switch
        {
            "padlock" => Contender.Padlock(endpoint, out _),
            "padlock-strict" => Contender.Padlock(endpoint, "?slice=0ms", "Padlock redis://?slice=0ms", out _),
            "dl" => await Contender.DistributedLockAsync(endpoint),
            "redlock" => await Contender.RedLockNetAsync(endpoint),
            _ => throw new ArgumentException($"Unknown contender '{plan.Kind}'; allowed: padlock, padlock-strict, dl, redlock.", nameof(args)),
        };
        // The counter has its own connection in every case, so that the critical section costs the same for every
        // contender; none without a counter, so that the server's cost per grant is only the lock's.
        var counter = plan.Counter;
        var work = counter is null ? null : (await ConnectionMultiplexer.ConnectAsync(endpoint)).GetDatabase();
        return await LockLoop.RunAsync(plan, contender.AcquireAsync, work is null ? null : async _ =>
        {
            var value = (long)await work.StringGetAsync(counter);
            await work.StringSetAsync(counter, value + 1);
        }, contender);
    }
}
