using Medallion.Threading.Redis;
using RedLockNet.SERedis;
using RedLockNet.SERedis.Configuration;
using StackExchange.Redis;

namespace Padlock.Bench.Redis;

/// <summary>One Redis lock implementation under test, reduced to "acquire this name, waiting as long as needed".</summary>
internal sealed class Contender(string label, Func<string, ValueTask<IAsyncDisposable>> acquire, IAsyncDisposable owner) : IAsyncDisposable
{
    public string Label => label;

    public ValueTask<IAsyncDisposable> AcquireAsync(string name) => acquire(name);

    public ValueTask DisposeAsync() => owner.DisposeAsync();

    /// <summary>Padlock's redis:// store with default options (30 s lease, FIFO queue, pub/sub wake-up).</summary>
    public static Contender Padlock(string endpoint, out LockProvider provider) => Padlock(endpoint, "", "Padlock redis://", out provider);

    /// <summary>Padlock's redis:// with URI options <paramref name="query"/> (e.g. "?slice=0ms"), labelled <paramref name="label"/>.</summary>
    public static Contender Padlock(string endpoint, string query, string label, out LockProvider provider)
    {
        var p = LockProvider.Create($"redis://{endpoint}{query}");
        provider = p;
        return new Contender(label, async name => await p.CreateLock(name).AcquireAsync(), p);
    }

    /// <summary>
    /// Padlock's redis:// through two independent stores (two connections, as two processes would have), calls
    /// alternating between them: shows contention between stores, where hand-offs inside one store stop as soon as
    /// the other waits in Redis.
    /// </summary>
    public static Contender PadlockTwoStores(string endpoint)
    {
        var stores = new[] { LockProvider.Create($"redis://{endpoint}"), LockProvider.Create($"redis://{endpoint}") };
        var next = 0;
        return new Contender("Padlock redis://, 2 stores", async name => await stores[Interlocked.Increment(ref next) & 1].CreateLock(name).AcquireAsync(),
            new Both(stores[0], stores[1]));
    }

    /// <summary>DistributedLock.Redis 1.1.1 with its defaults (30 s expiry, busy-wait 10–800 ms while contended).</summary>
    public static async Task<Contender> DistributedLockAsync(string endpoint)
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(endpoint);
        var db = mux.GetDatabase();
        return new Contender("DistributedLock.Redis", async name => await new RedisDistributedLock(name, db).AcquireAsync(), mux);
    }

    /// <summary>RedLock.net 2.3.2 on one server: 30 s expiry, wait up to 60 s, retry every 10 ms while contended.</summary>
    public static async Task<Contender> RedLockNetAsync(string endpoint)
    {
        var mux = await ConnectionMultiplexer.ConnectAsync(endpoint);
        var factory = RedLockFactory.Create([new RedLockMultiplexer(mux)]);
        return new Contender("RedLock.net", async name =>
        {
            var l = await factory.CreateLockAsync(name, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(10));
            if (!l.IsAcquired)
            {
                l.Dispose();
                throw new TimeoutException($"RedLock.net did not acquire '{name}' within 60 s.");
            }
            return new SyncDisposable(l);
        }, new Owner(factory, mux));
    }

    private sealed class Both(IAsyncDisposable a, IAsyncDisposable b) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }

    private sealed class SyncDisposable(IDisposable inner) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            inner.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Owner(RedLockFactory factory, ConnectionMultiplexer mux) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            factory.Dispose();
            await mux.DisposeAsync();
        }
    }
}
