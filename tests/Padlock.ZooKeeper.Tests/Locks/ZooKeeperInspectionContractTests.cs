using Padlock.Testing.Contract;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>The inspection contract on a real ZooKeeper: the line's entries (names, data, czxids) under ROOT/%sem, %rw and %el.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ZooKeeperInspectionContractTests(ZooKeeperFixture zk) : PrimitiveInspectionContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new UriAdapter($"zk://{zk.ConnectString}/inspect");

    private sealed class UriAdapter(string uri) : LockStoreAdapter
    {
        public override string? CrossProcessUri => uri;

        public override ILockProvider CreateProvider() => LockProvider.Create(uri);

        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
            => throw new NotSupportedException("The inspection contract does not make holds lost.");
    }
}
