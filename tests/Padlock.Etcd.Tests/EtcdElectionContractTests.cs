using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>The election contract for etcd:// (the exclusive line under PREFIX/#el/NAME/, values as key values) against a real etcd.</summary>
[Collection("etcd")]
public sealed class EtcdElectionContractTests(EtcdFixture fixture) : ElectionContractTests
{
    private readonly UriAdapter _adapter = new(fixture.Uri());

    protected override LockStoreAdapter Adapter => _adapter;

    private sealed class UriAdapter(string uri) : LockStoreAdapter
    {
        public override string? CrossProcessUri => uri;

        public override ILockProvider CreateProvider() => LockProvider.Create(uri);

        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
            => throw new NotSupportedException("The election contract ends a leader's provider instead.");
    }
}
