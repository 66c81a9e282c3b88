using Padlock.Testing.Contract;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>The election contract for zk:// (the exclusive line under ROOT/%el/NAME, values as entry data) against a real ZooKeeper.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ZooKeeperElectionContractTests(ZooKeeperFixture zk) : ElectionContractTests
{
    private readonly UriAdapter _adapter = new($"zk://{zk.ConnectString}/election-contract?sessiontimeout=4s");

    protected override LockStoreAdapter Adapter => _adapter;

    private sealed class UriAdapter(string uri) : LockStoreAdapter
    {
        public override string? CrossProcessUri => uri;

        public override ILockProvider CreateProvider() => LockProvider.Create(uri);

        // A short session (4 s) so that a killed leader is replaced quickly; the limit covers it with room to spare.
        public override TimeSpan LossDetectionLimit => TimeSpan.FromSeconds(15);

        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
            => throw new NotSupportedException("The election contract ends a leader's provider instead.");
    }
}
