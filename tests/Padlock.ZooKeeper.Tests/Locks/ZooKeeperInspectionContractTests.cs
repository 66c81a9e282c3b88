using Padlock.Stores;
using Padlock.Testing.Contract;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>The inspection contract on a real ZooKeeper: the line's entries (names, data, czxids) under ROOT/%sem, %rw and %el.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ZooKeeperInspectionContractTests(ZooKeeperFixture zk) : PrimitiveInspectionContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new UriAdapter($"zk://{zk.ConnectString}/inspect");

    [Fact]
    public async Task Inspecting_creates_no_node()
    {
        var root = "/insp-ro-" + Guid.NewGuid().ToString("N")[..8];
        await using var provider = LockProvider.Create($"zk://{zk.ConnectString}{root}");
        var inspector = (IPrimitiveInspector)provider.Store;
        await inspector.InspectSemaphoreAsync("ro", 2);
        await inspector.InspectReaderWriterAsync("ro");
        await inspector.InspectElectionAsync("ro");
        await using var c = await zk.ConnectAsync();
        Assert.Null(await c.ExistsAsync(root));
    }

    private sealed class UriAdapter(string uri) : LockStoreAdapter
    {
        public override string? CrossProcessUri => uri;

        public override ILockProvider CreateProvider() => LockProvider.Create(uri);

        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
            => throw new NotSupportedException("The inspection contract does not make holds lost.");
    }
}
