using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

/// <summary>Reader-writer locks on files: each provider is a store of its own, so the intent file is what orders them.</summary>
public sealed class FileReaderWriterContractTests : ReaderWriterContractTests, IDisposable
{
    private readonly FileContractTests.FileAdapter _adapter = new();

    protected override LockStoreAdapter Adapter => _adapter;

    public void Dispose() => _adapter.Dispose();
}
