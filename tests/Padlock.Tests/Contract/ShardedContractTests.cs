using Padlock.Sharding;
using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

/// <summary>The contract holds for names spread over three file stores, including across processes.</summary>
public sealed class ShardedContractTests : LockContractTests, IDisposable
{
    private readonly ShardedAdapter _adapter = new();

    protected override LockStoreAdapter Adapter => _adapter;

    public void Dispose() => _adapter.Dispose();

    internal sealed class ShardedAdapter : LockStoreAdapter, IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "padlock-tests", "sharded-" + Guid.NewGuid().ToString("N")[..8]);

        private string[] Uris => [.. Enumerable.Range(0, 3).Select(i => $"file://{_root}/shard{i}?losscheck=50ms")];

        public override string? CrossProcessUri => string.Join('|', Uris);

        // Inspection goes to the name's shard, a file store; like file://, not FIFO across stores.
        public override bool CanInspect => true;

        // Each provider lists the shards in a different order: placement must not depend on it.
        private int _created;

        public override ILockProvider CreateProvider()
        {
            var uris = Uris;
            var rotate = Interlocked.Increment(ref _created) % uris.Length;
            return LockProvider.CreateSharded([.. uris.Skip(rotate), .. uris.Take(rotate)]);
        }

        public override async Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
        {
            var shard = ((ShardedLockStore)((LockProvider)provider).Store).ShardFor(handle.Name);
            await using var one = LockProvider.Create(shard);
            File.Delete(((Padlock.FileSystem.FileLockStore)one.Store).PathFor(handle.Name));
        }

        public void Dispose()
        {
            try { Directory.Delete(_root, true); } catch (IOException) { }
        }
    }
}
