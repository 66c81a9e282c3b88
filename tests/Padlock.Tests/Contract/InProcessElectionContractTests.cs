using Padlock.InProcess;
using Padlock.Stores;
using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

/// <summary>The election contract for mem://: every provider shares one in-process store, as threads of one process would.</summary>
public sealed class InProcessElectionContractTests : ElectionContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new SharedAdapter();

    private sealed class SharedAdapter : LockStoreAdapter
    {
        private readonly Shared _store = new(new InProcessLockStore());

        public override string? CrossProcessUri => null;

        public override ILockProvider CreateProvider() => new LockProvider(_store);

        // A client that ends as a server store's does when its provider is disposed: its holds are reported lost, then
        // given back (a mem:// store is one process's, so ending the shared store itself would end every client).
        public override ILockProvider CreateOwningProvider() => new LockProvider(new Shared(_store.Inner, owns: true));

        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle) => throw new NotSupportedException();
    }

    /// <summary>The shared store; a client that owns its leaderships ends them (lost, then resigned) when disposed.</summary>
    private sealed class Shared(InProcessLockStore inner, bool owns = false) : ILockStore, IElectionStore
    {
        private readonly List<StoreLease> _granted = [];

        public InProcessLockStore Inner => inner;

        public string Kind => inner.Kind;

        public ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait) => inner.TryAcquireAsync(name, wait);

        public async ValueTask<StoreLease?> CampaignAsync(string name, string value, LockWait wait)
        {
            var lease = await inner.CampaignAsync(name, value, wait);
            if (lease is not null) lock (_granted) _granted.Add(lease);
            return lease;
        }

        public ValueTask ProclaimAsync(string name, StoreLease leadership, string value, CancellationToken cancellationToken)
            => inner.ProclaimAsync(name, leadership, value, cancellationToken);

        public ValueTask<LeaderInfo?> GetLeaderAsync(string name, CancellationToken cancellationToken) => inner.GetLeaderAsync(name, cancellationToken);

        public IAsyncEnumerable<LeaderInfo?> ObserveAsync(string name, CancellationToken cancellationToken) => inner.ObserveAsync(name, cancellationToken);

        public async ValueTask DisposeAsync()
        {
            if (!owns) return;
            List<StoreLease> granted;
            lock (_granted) granted = [.. _granted];
            foreach (var lease in granted)
            {
                lease.MarkLost();
                await lease.ReleaseAsync();
            }
        }
    }
}
