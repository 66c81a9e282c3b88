using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

public sealed class FileSemaphoreContractTests : SemaphoreContractTests, IDisposable
{
    private readonly FileContractTests.FileAdapter _adapter = new();

    protected override LockStoreAdapter Adapter => _adapter;

    public void Dispose() => _adapter.Dispose();
}
