using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

/// <summary>
/// The inspection contract on file://: holders come from /proc/locks; waiting is polling, which leaves no entry, so
/// waiters are unknown, and no file keeps a token per permit or reader.
/// </summary>
public sealed class FileInspectionContractTests : PrimitiveInspectionContractTests, IDisposable
{
    private readonly FileContractTests.FileAdapter _adapter = new();

    protected override LockStoreAdapter Adapter => _adapter;

    protected override bool KnowsWaiters => false;

    protected override bool KnowsSharedTokens => false;

    protected override bool KnowsWaitingValues => false;

    public void Dispose() => _adapter.Dispose();
}
