using System.Text;
using Padlock.Stores;
using Padlock.ZooKeeper;
using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Protocol;

namespace Padlock.Cli.Bench.Counters;

/// <summary>A counter in a znode (getData, then setData): each write goes through the leader and a quorum, as in an application.</summary>
internal sealed class ZooKeeperCounter(ZooKeeperClient zk, string path) : IBenchCounter
{
    public string Where => "znode";

    public static async Task<IBenchCounter> CreateAsync(StoreUri uri, string name, CancellationToken ct)
    {
        var servers = string.Join(',', uri.EndpointsOrDefault("127.0.0.1", 2181).Select(e => $"{e.Host}:{e.Port}"));
        var zk = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = servers }, cancellationToken: ct);
        var path = "/padlock-bench-" + name;
        try
        {
            await zk.CreateAsync(path, Encoding.ASCII.GetBytes("0"), CreateMode.Persistent, cancellationToken: ct);
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NodeExists)
        {
            await zk.SetDataAsync(path, Encoding.ASCII.GetBytes("0"), cancellationToken: ct);
        }
        return new ZooKeeperCounter(zk, path);
    }

    public async ValueTask<long> ReadAsync(CancellationToken ct)
        => BenchCounters.Parse(Encoding.ASCII.GetString((await zk.GetDataAsync(path, cancellationToken: ct)).Data));

    public async ValueTask WriteAsync(long value, CancellationToken ct)
        => await zk.SetDataAsync(path, Encoding.ASCII.GetBytes(BenchCounters.Format(value)), cancellationToken: ct);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await zk.DeleteAsync(path);
        }
        finally
        {
            await zk.DisposeAsync();
        }
    }
}
