using System.Globalization;
using Padlock.Cli.Demo;
using Padlock.Stores;

namespace Padlock.Cli.Bench.Counters;

/// <summary>The shared value the workers read, increment and write under the lock: the chapter's race.</summary>
internal interface IBenchCounter : IAsyncDisposable
{
    /// <summary>Where the value lives, for the report ("Redis key", "znode", ...).</summary>
    string Where { get; }

    ValueTask<long> ReadAsync(CancellationToken ct);

    ValueTask WriteAsync(long value, CancellationToken ct);
}

/// <summary>
/// Picks where the counter lives: in the store under test where it keeps data (a Redis key, an etcd key, a znode), so
/// the work under the lock costs what it would in an application; in memory for mem:// and in a file for file://.
/// </summary>
internal static class BenchCounters
{
    public static async Task<IBenchCounter> CreateAsync(string storeUri, string workDir, string name, CancellationToken ct)
    {
        var uri = StoreUri.Parse(storeUri);
        return uri.Scheme switch
        {
            "mem" => new MemoryCounter(),
            "redis" or "redlock" => await RedisCounter.CreateAsync(uri, name, ct),
            "etcd" => await EtcdCounter.CreateAsync(uri, name, ct),
            "zk" => await ZooKeeperCounter.CreateAsync(uri, name, ct),
            _ => FileCounter.Create(Path.Combine(workDir, name)),
        };
    }

    internal static long Parse(string? text) => string.IsNullOrEmpty(text) ? 0 : long.Parse(text, CultureInfo.InvariantCulture);

    internal static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class MemoryCounter : IBenchCounter
    {
        public string Where => "memory";

        private long _value;

        public ValueTask<long> ReadAsync(CancellationToken ct) => ValueTask.FromResult(Volatile.Read(ref _value));

        public ValueTask WriteAsync(long value, CancellationToken ct)
        {
            Volatile.Write(ref _value, value);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class FileCounter(CounterFile file) : IBenchCounter
    {
        public string Where => "file";

        public static FileCounter Create(string path)
        {
            CounterFile.Reset(path);
            return new FileCounter(new CounterFile(path));
        }

        public ValueTask<long> ReadAsync(CancellationToken ct) => ValueTask.FromResult(file.Read());

        public ValueTask WriteAsync(long value, CancellationToken ct)
        {
            file.Write(value);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            file.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
