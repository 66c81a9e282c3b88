using Padlock.Testing.Contract;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>The election contract for zk:// (the exclusive line under ROOT/%el/NAME, values as entry data) against a real ZooKeeper.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ZooKeeperElectionContractTests(ZooKeeperFixture zk) : ElectionContractTests
{
    private readonly UriAdapter _adapter = new($"zk://{zk.ConnectString}/election-contract");

    protected override LockStoreAdapter Adapter => _adapter;

    private sealed class UriAdapter(string uri) : LockStoreAdapter
    {
        public override string? CrossProcessUri => uri;

        public override ILockProvider CreateProvider() => LockProvider.Create(uri);

        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
            => throw new NotSupportedException("The election contract ends a leader's provider instead.");
    }
}
