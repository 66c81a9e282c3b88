using Medallion.Threading.Postgres;
using Npgsql;
using Padlock.Bench.Processes;

namespace Padlock.Bench.PostgresProcesses;

/// <summary>
/// One OS process of the postgres-procs suite: <c>Padlock.Bench --postgres-lock-worker PLAN... URI CONNECTION-STRING</c>
/// (see <see cref="WorkerPlan"/>), run by <see cref="LockLoop"/>: URI for Padlock's postgres://, the connection string
/// for DistributedLock.Postgres and the counter. When the plan has a counter it is a row of <c>bench_counter</c>, and
/// every caller increments it on its own open connection (<see cref="CounterRow"/>), the same for every contender.
/// </summary>
internal static class PostgresLockWorker
{
    internal const string Flag = "--postgres-lock-worker";

    internal static async Task<int> RunAsync(string[] args)
    {
        var plan = WorkerPlan.Parse(args);
        var (uri, connectionString) = (plan.Store[0], plan.Store[1]);
        var (acquire, owner) = plan.Kind switch
        {
            "padlock" => Padlock(uri),
            "padlock-strict" => Padlock(uri + "&slice=0ms"),
            "dl" => (async name => await new PostgresDistributedLock(new PostgresAdvisoryLockKey(name, allowHashing: true), connectionString).AcquireAsync(),
                     new NoOwner()),
            _ => throw new ArgumentException($"Unknown contender '{plan.Kind}'; allowed: padlock, padlock-strict, dl.", nameof(args)),
        };
        await using var source = NpgsqlDataSource.Create(connectionString);
        var rows = plan.Counter is null ? null : await Task.WhenAll(Enumerable.Range(0, plan.Callers).Select(_ => CounterRow.OpenAsync(source, plan.Counter)));
        return await LockLoop.RunAsync(plan, acquire, rows is null ? null : c => rows[c].IncrementAsync(), owner);
    }

    private static (Func<string, ValueTask<IAsyncDisposable>> Acquire, IAsyncDisposable Owner) Padlock(string uri)
    {
        var provider = LockProvider.Create(uri);
        return (async name => await provider.CreateLock(name).AcquireAsync(), provider);
    }

    /// <summary>DistributedLock.Postgres keeps its connections in Npgsql's pool: nothing of its own to close.</summary>
    private sealed class NoOwner : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
