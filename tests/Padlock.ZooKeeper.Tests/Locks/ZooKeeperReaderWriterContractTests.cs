using Padlock.Testing.Contract;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>The reader-writer contract for zk:// (read-/write- entries under ROOT/%rw/NAME) against a real ZooKeeper.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ZooKeeperReaderWriterContractTests(ZooKeeperFixture zk) : ReaderWriterContractTests
{
    private readonly UriAdapter _adapter = new($"zk://{zk.ConnectString}/rw-contract");

    protected override LockStoreAdapter Adapter => _adapter;

    private sealed class UriAdapter(string uri) : LockStoreAdapter
    {
        public override string? CrossProcessUri => uri;

        public override ILockProvider CreateProvider() => LockProvider.Create(uri);

        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
            => throw new NotSupportedException("The reader-writer contract does not make holds lost.");
    }
}
