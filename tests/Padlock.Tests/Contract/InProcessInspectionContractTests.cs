using Padlock.InProcess;
using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

/// <summary>The inspection contract on mem://: every provider is a client of one shared store, as threads of one process.</summary>
public sealed class InProcessInspectionContractTests : PrimitiveInspectionContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new SharedAdapter();

    // In-process entries carry no owner description.
    protected override bool KnowsOwners => false;

    private sealed class SharedAdapter : LockStoreAdapter
    {
        // Disposed with the first provider at the end of the test (disposing it again does nothing).
        private readonly InProcessLockStore _store = new();

        public override string? CrossProcessUri => null;

        public override ILockProvider CreateProvider() => new LockProvider(_store);

        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle) => throw new NotSupportedException();
    }
}
