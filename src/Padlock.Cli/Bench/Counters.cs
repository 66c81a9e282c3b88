using Padlock.Cli.Demo;

namespace Padlock.Cli.Bench;

/// <summary>The shared value the workers read, increment and write under the lock.</summary>
internal interface IBenchCounter : IDisposable
{
    long Read();

    void Write(long value);
}

/// <summary>
/// Picks where the counter lives for a store: mem:// in memory, every other store in a file (all workers run on this
/// machine). The place to add store-native counters (a Redis key, an etcd key, a znode) when the CLI references those
/// store packages.
/// </summary>
internal static class Counters
{
    public static IBenchCounter For(string storeUri, string workDir, int index)
        => storeUri.StartsWith("mem:", StringComparison.OrdinalIgnoreCase)
            ? new MemoryCounter()
            : FileCounter.Create(Path.Combine(workDir, $"counter-{index}"));

    private sealed class MemoryCounter : IBenchCounter
    {
        private long _value;

        public long Read() => Volatile.Read(ref _value);

        public void Write(long value) => Volatile.Write(ref _value, value);

        public void Dispose() { }
    }

    private sealed class FileCounter(CounterFile file) : IBenchCounter
    {
        public static FileCounter Create(string path)
        {
            CounterFile.Reset(path);
            return new FileCounter(new CounterFile(path));
        }

        public long Read() => file.Read();

        public void Write(long value) => file.Write(value);

        public void Dispose() => file.Dispose();
    }
}
