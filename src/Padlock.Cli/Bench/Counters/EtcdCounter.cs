using dotnet_etcd;
using Padlock.Stores;

namespace Padlock.Cli.Bench.Counters;

/// <summary>A counter in an etcd key (Range, then Put): each write is a Raft round and a disk sync, as in an application.</summary>
internal sealed class EtcdCounter(EtcdClient etcd, string key) : IBenchCounter
{
    public string Where => "etcd key";

    public static async Task<IBenchCounter> CreateAsync(StoreUri uri, string name, CancellationToken ct)
    {
        var urls = string.Join(',', uri.EndpointsOrDefault("127.0.0.1", 2379).Select(e => $"http://{e.Host}:{e.Port}"));
        var etcd = new EtcdClient(urls);
        var key = $"padlock-bench/{name}/counter";
        await etcd.DeleteAsync(key, cancellationToken: ct);
        return new EtcdCounter(etcd, key);
    }

    public async ValueTask<long> ReadAsync(CancellationToken ct)
    {
        var got = await etcd.GetAsync(key, cancellationToken: ct);
        return got.Kvs.Count == 0 ? 0 : BenchCounters.Parse(got.Kvs[0].Value.ToStringUtf8());
    }

    public async ValueTask WriteAsync(long value, CancellationToken ct)
        => await etcd.PutAsync(key, BenchCounters.Format(value), cancellationToken: ct);

    public async ValueTask DisposeAsync()
    {
        await etcd.DeleteAsync(key);
        etcd.Dispose();
    }
}
