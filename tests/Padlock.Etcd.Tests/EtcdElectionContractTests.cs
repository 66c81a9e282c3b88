using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>The election contract for etcd:// (the exclusive line under PREFIX/#el/NAME/, values as key values) against a real etcd.</summary>
[Collection("etcd")]
public sealed class EtcdElectionContractTests(EtcdFixture fixture) : ElectionContractTests
{
    private readonly UriAdapter _adapter = new(fixture.Uri("?ttl=4s"));

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
