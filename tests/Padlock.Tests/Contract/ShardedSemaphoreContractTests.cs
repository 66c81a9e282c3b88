using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

/// <summary>Semaphores spread over three file stores: each name's permits live on the one shard that owns it.</summary>
public sealed class ShardedSemaphoreContractTests : SemaphoreContractTests, IDisposable
{
    private readonly ShardedContractTests.ShardedAdapter _adapter = new();

    protected override LockStoreAdapter Adapter => _adapter;

    public void Dispose() => _adapter.Dispose();
}
