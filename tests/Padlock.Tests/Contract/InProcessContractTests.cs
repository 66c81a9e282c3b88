using Padlock.InProcess;
using Padlock.Stores;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Tests.Contract;

public sealed class InProcessContractTests : LockContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new InProcessAdapter();

    internal sealed class InProcessAdapter : LockStoreAdapter
    {
        private readonly InProcessLockStore _store = new();

        public override string? CrossProcessUri => null;

        // mem:// locks live in one store; every "client" here shares it, as threads of one process would.
        public override ILockProvider CreateProvider() => new LockProvider(new NonOwning(_store));

        public override ILockProvider CreateOwningProvider() => LockProvider.Create("mem://");

        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
        {
            Assert.True(_store.Break(handle.Name));
            return Task.CompletedTask;
        }
    }

    private sealed class NonOwning(InProcessLockStore inner) : ILockStore, ISemaphoreStore
    {
        public string Kind => inner.Kind;
        public ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait) => inner.TryAcquireAsync(name, wait);
        public ValueTask<StoreLease?> TryAcquireSemaphoreAsync(string name, int maxCount, LockWait wait) => inner.TryAcquireSemaphoreAsync(name, maxCount, wait);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
