using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

/// <summary>Elections on files: each provider is a store of its own, so the flock on NAME.el is what elects.</summary>
public sealed class FileElectionContractTests : ElectionContractTests, IDisposable
{
    private readonly FileContractTests.FileAdapter _adapter = new();

    protected override LockStoreAdapter Adapter => _adapter;

    public void Dispose() => _adapter.Dispose();
}
