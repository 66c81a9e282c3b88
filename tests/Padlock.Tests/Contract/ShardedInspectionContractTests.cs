using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

/// <summary>The inspection contract on names spread over three file stores: each inspection goes to the name's shard.</summary>
public sealed class ShardedInspectionContractTests : PrimitiveInspectionContractTests, IDisposable
{
    private readonly ShardedContractTests.ShardedAdapter _adapter = new();

    protected override LockStoreAdapter Adapter => _adapter;

    protected override bool KnowsWaiters => false;

    protected override bool KnowsSharedTokens => false;

    protected override bool KnowsWaitingValues => false;

    protected override bool HasElections => false;

    public void Dispose() => _adapter.Dispose();
}
