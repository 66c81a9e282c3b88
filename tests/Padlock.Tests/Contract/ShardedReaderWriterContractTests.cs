using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

/// <summary>Reader-writer locks spread over three file stores: each name lives on the one shard that owns it.</summary>
public sealed class ShardedReaderWriterContractTests : ReaderWriterContractTests, IDisposable
{
    private readonly ShardedContractTests.ShardedAdapter _adapter = new();

    protected override LockStoreAdapter Adapter => _adapter;

    public void Dispose() => _adapter.Dispose();
}
