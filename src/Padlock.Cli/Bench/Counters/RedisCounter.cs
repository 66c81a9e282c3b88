using Padlock.Stores;
using StackExchange.Redis;

namespace Padlock.Cli.Bench.Counters;

/// <summary>A counter in a Redis string (GET, then SET): on the first master for redlock://, which holds no shared data.</summary>
internal sealed class RedisCounter(ConnectionMultiplexer redis, RedisKey key) : IBenchCounter
{
    public string Where => "Redis key";

    public static async Task<IBenchCounter> CreateAsync(StoreUri uri, string name, CancellationToken ct)
    {
        var endpoint = uri.EndpointsOrDefault("127.0.0.1", 6379)[0];
        var options = new ConfigurationOptions { EndPoints = { { endpoint.Host, endpoint.Port } }, Password = uri.GetString("password") };
        var redis = await ConnectionMultiplexer.ConnectAsync(options);
        var key = new RedisKey($"padlock-bench:{{{name}}}:counter");
        await redis.GetDatabase().KeyDeleteAsync(key).WaitAsync(ct);
        return new RedisCounter(redis, key);
    }

    public async ValueTask<long> ReadAsync(CancellationToken ct)
        => BenchCounters.Parse(await redis.GetDatabase().StringGetAsync(key).WaitAsync(ct));

    public async ValueTask WriteAsync(long value, CancellationToken ct)
        => await redis.GetDatabase().StringSetAsync(key, BenchCounters.Format(value)).WaitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await redis.GetDatabase().KeyDeleteAsync(key);
        await redis.DisposeAsync();
    }
}
