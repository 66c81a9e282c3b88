using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>The inspection contract on a real etcd: the keys under PREFIX/#s, #rw and #el in create-revision order.</summary>
[Collection("etcd")]
public sealed class EtcdInspectionContractTests(EtcdFixture fixture) : PrimitiveInspectionContractTests
{
    private readonly UriAdapter _adapter = new(fixture.Uri());

    protected override LockStoreAdapter Adapter => _adapter;

    private sealed class UriAdapter(string uri) : LockStoreAdapter
    {
        public override string? CrossProcessUri => uri;

        public override ILockProvider CreateProvider() => LockProvider.Create(uri);

        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
            => throw new NotSupportedException("The inspection contract does not make holds lost.");
    }
}
