using Padlock.Sharding;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Etcd.Tests.Sharding;

/// <summary>
/// The lock contract on a provider that follows a shard map in an etcd directory, over two shards (two prefixes of the
/// fixture's server: distinct key spaces, so distinct stores). Every guarantee of a plain store must hold through the
/// directory layer: timeouts, cancellation, FIFO, loss, disposal, inspection, a second process.
/// </summary>
[Collection("etcd")]
public sealed class DirectoryShardedContractTests(EtcdFixture fixture) : LockContractTests
{
    private readonly DirectoryShardedAdapter _adapter = new(fixture);

    protected override LockStoreAdapter Adapter => _adapter;
}

/// <summary>The semaphore contract through the directory layer.</summary>
[Collection("etcd")]
public sealed class DirectoryShardedSemaphoreContractTests(EtcdFixture fixture) : SemaphoreContractTests
{
    private readonly DirectoryShardedAdapter _adapter = new(fixture);

    protected override LockStoreAdapter Adapter => _adapter;
}

/// <summary>The reader-writer contract through the directory layer.</summary>
[Collection("etcd")]
public sealed class DirectoryShardedReaderWriterContractTests(EtcdFixture fixture) : ReaderWriterContractTests
{
    private readonly DirectoryShardedAdapter _adapter = new(fixture);

    protected override LockStoreAdapter Adapter => _adapter;
}

/// <summary>A directory with a map of two shards on the fixture's server, written once per adapter.</summary>
internal sealed class DirectoryShardedAdapter : LockStoreAdapter
{
    private readonly EtcdFixture _fixture;
    private readonly string _directory;
    private readonly string[] _shardPrefixes;

    public DirectoryShardedAdapter(EtcdFixture fixture)
    {
        _fixture = fixture;
        var run = Guid.NewGuid().ToString("N")[..8];
        _directory = $"etcd://{fixture.Server.Endpoint}/dir-{run}";
        _shardPrefixes = [$"sa-{run}", $"sb-{run}"];
        var admin = ShardMapAdmin.Open(_directory);
        try
        {
            admin.ApplyAsync(new Dictionary<string, string>
            {
                ["a"] = $"etcd://{fixture.Server.Endpoint}/{_shardPrefixes[0]}",
                ["b"] = $"etcd://{fixture.Server.Endpoint}/{_shardPrefixes[1]}",
            }).GetAwaiter().GetResult();
        }
        finally
        {
            admin.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    public override string? CrossProcessUri => "shards@" + _directory;

    public override ILockProvider CreateProvider() => LockProvider.CreateSharded(_directory);

    // Another client deletes the holder's key on its shard, as an operator's `etcdctl del` would.
    public override async Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
    {
        var keys = new List<string>();
        foreach (var prefix in _shardPrefixes)
            keys.AddRange((await _fixture.Server.EtcdctlAsync("get", "--prefix", "--keys-only", prefix + "/")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        await _fixture.Server.EtcdctlAsync("del", keys.Single());
    }

    public override TimeSpan LossDetectionLimit => TimeSpan.FromSeconds(10);

    public override bool IsFifo => true;

    public override bool CanInspect => true;

    public override async Task<int?> QueuedAsync(string name)
    {
        var count = 0;
        foreach (var prefix in _shardPrefixes)
            count += (await _fixture.Server.EtcdctlAsync("get", "--prefix", "--keys-only", $"{prefix}/#/{name}/")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        return Math.Max(0, count - 1);
    }
}

/// <summary>Inspection of semaphores and reader-writer locks through the directory layer (tokens packed as holders see them).</summary>
[Collection("etcd")]
public sealed class DirectoryShardedInspectionContractTests(EtcdFixture fixture) : PrimitiveInspectionContractTests
{
    private readonly DirectoryShardedAdapter _adapter = new(fixture);

    protected override LockStoreAdapter Adapter => _adapter;

    protected override bool HasElections => false;
}
