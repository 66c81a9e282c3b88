using Medallion.Threading.Redis;
using StackExchange.Redis;

namespace Padlock.Bench.RedisPrimitives;

/// <summary>
/// One implementation under test with one client per worker (as separate processes would have): acquire the
/// semaphore, or the reader-writer lock in read or write mode, waiting as long as needed.
/// </summary>
internal sealed class PrimitiveSide(string label, Func<int, ValueTask<IAsyncDisposable>> semaphore,
    Func<int, bool, ValueTask<IAsyncDisposable>> readerWriter, IAsyncDisposable[] clients) : IAsyncDisposable
{
    public string Label => label;

    /// <summary>Worker <paramref name="worker"/> takes one permit.</summary>
    public ValueTask<IAsyncDisposable> SemaphoreAsync(int worker) => semaphore(worker);

    /// <summary>Worker <paramref name="worker"/> takes the lock for writing or reading.</summary>
    public ValueTask<IAsyncDisposable> ReaderWriterAsync(int worker, bool write) => readerWriter(worker, write);

    public async ValueTask DisposeAsync()
    {
        foreach (var c in clients) await c.DisposeAsync();
    }

    /// <summary>Padlock's redis:// store with defaults, one <see cref="LockProvider"/> (own connection) per worker.</summary>
    public static PrimitiveSide Padlock(string endpoint, int workers, int permits)
    {
        var providers = Enumerable.Range(0, workers).Select(_ => LockProvider.Create($"redis://{endpoint}")).ToArray();
        var sems = providers.Select(p => p.CreateSemaphore("bench-prim-sem-padlock", permits)).ToArray();
        var rws = providers.Select(p => p.CreateReaderWriterLock("bench-prim-rw-padlock")).ToArray();
        return new PrimitiveSide("Padlock redis://",
            async w => await sems[w].AcquireAsync(),
            async (w, write) => write ? await rws[w].AcquireWriteAsync() : await rws[w].AcquireReadAsync(),
            providers);
    }

    /// <summary>DistributedLock.Redis 1.1.1 with its defaults, one ConnectionMultiplexer per worker.</summary>
    public static async Task<PrimitiveSide> DistributedLockAsync(string endpoint, int workers, int permits)
    {
        var muxes = new ConnectionMultiplexer[workers];
        for (var i = 0; i < workers; i++) muxes[i] = await ConnectionMultiplexer.ConnectAsync(endpoint);
        var sems = muxes.Select(m => new RedisDistributedSemaphore("bench-prim-sem-peer", permits, m.GetDatabase())).ToArray();
        var rws = muxes.Select(m => new RedisDistributedReaderWriterLock("bench-prim-rw-peer", m.GetDatabase())).ToArray();
        return new PrimitiveSide("DistributedLock.Redis",
            async w => await sems[w].AcquireAsync(),
            async (w, write) => write ? await rws[w].AcquireWriteLockAsync() : await rws[w].AcquireReadLockAsync(),
            muxes);
    }
}
