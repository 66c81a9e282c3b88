using System.Collections.Concurrent;
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
        private readonly Counting _shared;

        public InProcessAdapter() => _shared = new Counting(_store);

        public override string? CrossProcessUri => null;

        public override bool IsFifo => true;

        // mem:// locks live in one store; every "client" here shares it, as threads of one process would.
        public override ILockProvider CreateProvider() => new LockProvider(_shared);

        public override Task<int?> QueuedAsync(string name) => Task.FromResult<int?>(_shared.Waiting(name));

        public override ILockProvider CreateOwningProvider() => LockProvider.Create("mem://");

        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
        {
            Assert.True(_store.Break(handle.Name));
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// The shared store, not disposed with each provider, counting the attempts that wait. mem:// puts a waiter in its
    /// line before its first await, so an attempt that did not complete at once is a queued waiter.
    /// </summary>
    private sealed class Counting(InProcessLockStore inner) : ILockStore, ISemaphoreStore, IReaderWriterLockStore
    {
        private readonly ConcurrentDictionary<string, int> _waiting = new(StringComparer.Ordinal);

        public string Kind => inner.Kind;

        public int Waiting(string name) => _waiting.GetValueOrDefault(name);

        public async ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait)
        {
            var attempt = inner.TryAcquireAsync(name, wait);
            if (attempt.IsCompleted) return await attempt;
            _waiting.AddOrUpdate(name, 1, (_, n) => n + 1);
            try
            {
                return await attempt;
            }
            finally
            {
                _waiting.AddOrUpdate(name, 0, (_, n) => n - 1);
            }
        }

        public ValueTask<StoreLease?> TryAcquireSemaphoreAsync(string name, int maxCount, LockWait wait) => inner.TryAcquireSemaphoreAsync(name, maxCount, wait);

        public ValueTask<StoreLease?> TryAcquireReaderWriterAsync(string name, LockMode mode, LockWait wait) => inner.TryAcquireReaderWriterAsync(name, mode, wait);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
