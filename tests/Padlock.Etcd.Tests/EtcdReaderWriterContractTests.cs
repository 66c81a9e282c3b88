using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>The reader-writer contract for etcd:// (keys under PREFIX/#rw/NAME/r/ and /w/) against a real etcd.</summary>
[Collection("etcd")]
public sealed class EtcdReaderWriterContractTests(EtcdFixture fixture) : ReaderWriterContractTests
{
    private readonly UriAdapter _adapter = new(fixture.Uri());

    protected override LockStoreAdapter Adapter => _adapter;

    private sealed class UriAdapter(string uri) : LockStoreAdapter
    {
        public override string? CrossProcessUri => uri;

        public override ILockProvider CreateProvider() => LockProvider.Create(uri);

        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
            => throw new NotSupportedException("The reader-writer contract does not make holds lost.");
    }
}
