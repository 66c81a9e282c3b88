using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Padlock.Bench.Harness;
using Padlock.Bench.Processes;

namespace Padlock.Bench.PostgresProcesses;

/// <summary>
/// The reference for a lock handed from process to process by the server: one hand-off of a PostgreSQL advisory lock,
/// from the moment the holder sends its unlock to the moment a waiter in another process
/// (<c>Padlock.Bench --postgres-handoff-waiter CONNECTION-STRING</c>) returns from its blocked <c>pg_advisory_lock</c>,
/// on the Stopwatch clock both processes share. Before each hand-off this process polls pg_locks until the waiter's
/// backend is queued, so the figure is the wake-up alone.
/// </summary>
internal static class AdvisoryHandOff
{
    internal const string Flag = "--postgres-handoff-waiter";
    private const long Key = 77_001;

    /// <summary>The waiter's side: on each "next" line, lock (blocking), unlock, and print the Stopwatch ticks at the grant.</summary>
    internal static async Task<int> WaitAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var lockKey = Command(connection, "SELECT pg_advisory_lock($1)");
        await using var unlockKey = Command(connection, "SELECT pg_advisory_unlock($1)");
        Console.WriteLine("ready");
        while (await Console.In.ReadLineAsync() == "next")
        {
            await lockKey.ExecuteNonQueryAsync();
            var granted = Stopwatch.GetTimestamp();
            await unlockKey.ExecuteNonQueryAsync();
            Console.WriteLine(granted.ToString(CultureInfo.InvariantCulture));
        }
        return 0;
    }

    /// <summary>Hand-offs to a waiter process, warmed up then measured for <paramref name="settings"/>' times; rate = 1 / p50.</summary>
    public static async Task<Stats> MeasureAsync(string connectionString, BenchSettings settings)
    {
        using var child = WorkerProcesses.Start([Flag, connectionString]);
        await WorkerProcesses.ReadyAsync(child);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var lockKey = Command(connection, "SELECT pg_advisory_lock($1)");
        await using var unlockKey = Command(connection, "SELECT pg_advisory_unlock($1)");
        await using var queued = Command(connection, "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid::bigint = $1 AND NOT granted)");
        await RunForAsync(settings.Warmup, null);
        var samples = new List<double>();
        var sw = Stopwatch.StartNew();
        await RunForAsync(settings.Duration, samples);
        var elapsed = sw.Elapsed;
        child.StandardInput.Close();
        await child.WaitForExitAsync();
        var stats = Stats.From("one advisory-lock hand-off between processes (unlock sent → waiter granted; ops/s = 1 / p50)", elapsed, [samples]);
        return stats with { OpsPerSecond = 1000 / stats.P50 };

        async Task RunForAsync(TimeSpan duration, List<double>? into)
        {
            var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < end)
            {
                await lockKey.ExecuteNonQueryAsync();
                await child.StandardInput.WriteLineAsync("next");
                await child.StandardInput.FlushAsync();
                while (await queued.ExecuteScalarAsync() is not true) { }
                var sent = Stopwatch.GetTimestamp();
                await unlockKey.ExecuteNonQueryAsync();
                var granted = long.Parse(await child.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the hand-off waiter exited"), CultureInfo.InvariantCulture);
                into?.Add((granted - sent) * 1000.0 / Stopwatch.Frequency);
            }
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql) =>
        new(sql, connection) { Parameters = { new() { Value = Key } } };
}
