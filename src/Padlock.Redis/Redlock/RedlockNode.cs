using Padlock.Redis.Connection;
using Padlock.Redis.Keys;
using Padlock.Redis.Scripts;
using Padlock.Redis.Waiting;
using StackExchange.Redis;

namespace Padlock.Redis.Redlock;

/// <summary>
/// One independent Redlock master. Every call answers rather than throws: a master that is down or slow simply does
/// not count towards the majority.
/// </summary>
internal sealed class RedlockNode(string endpoint, RedisLockOptions options, RedisConnection connection) : IAsyncDisposable
{
    private readonly RedisConnection _connection = connection;
    private readonly Lock _gate = new();
    private Task? _subscribed;

    /// <summary>"host:port".</summary>
    public string Endpoint => endpoint;

    /// <summary>Connects (or keeps reconnecting in the background); true when connected now.</summary>
    public async Task<bool> ConnectAsync()
    {
        try
        {
            return (await _connection.GetAsync().ConfigureAwait(false)).IsConnected;
        }
        catch (RedisConnectionException)
        {
            return false;
        }
    }

    /// <summary>Subscribes this master's wake-ups into <paramref name="hub"/>, once.</summary>
    public async Task SubscribeAsync(WakeHub hub, RedisChannel channel)
    {
        Task task;
        lock (_gate)
        {
            if (_subscribed is null || _subscribed.IsFaulted || _subscribed.IsCanceled) _subscribed = SubscribeCoreAsync(hub, channel);
            task = _subscribed;
        }
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // A master that is down cannot wake anyone; the fallback check covers it, and the next wait retries.
        }
    }

    /// <summary>The fencing token when this master granted the lock, 0 when it refused, -1 when it did not answer.</summary>
    public async Task<long> TryAcquireAsync(LockKeys keys, string token)
    {
        try
        {
            var db = (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();
            // Redlock reserves one token per grant: its tokens are not a fencing sequence anyway (docs/stores/redis.md).
            return (await AcquireScript.RunAsync(db, keys, token, options.Lease, join: false, options.WaiterTimeToLive, block: 1, RedisChannel.Literal(options.KeyPrefix + "wake")).ConfigureAwait(false)).Fence;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return -1;
        }
    }

    /// <summary>True when extended, false when the key there is gone or someone else's, null when the master did not answer.</summary>
    public async Task<bool?> RenewAsync(LockKeys keys, string token)
    {
        try
        {
            var db = (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();
            return await RenewScript.RunAsync(db, keys, token, options.Lease).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Compare-and-delete here, waking waiters; errors ignored (the key expires with its lease).</summary>
    public async Task ReleaseAsync(LockKeys keys, string token, RedisChannel channel)
    {
        try
        {
            var db = (await _connection.GetAsync().ConfigureAwait(false)).GetDatabase();
            await ReleaseScript.RunAsync(db, keys, token, options.Lease, channel, alwaysPublish: true, block: 1).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // unreachable master (or closed after a bounded wait at disposal): its copy runs out with the lease
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private async Task SubscribeCoreAsync(WakeHub hub, RedisChannel channel)
    {
        await hub.SubscribeAsync(_connection, channel).ConfigureAwait(false);
    }
}
