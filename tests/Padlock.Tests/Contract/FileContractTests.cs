using Padlock.FileSystem;
using Padlock.Testing.Contract;

namespace Padlock.Tests.Contract;

public sealed class FileContractTests : LockContractTests, IDisposable
{
    private readonly FileAdapter _adapter = new();

    protected override LockStoreAdapter Adapter => _adapter;

    public void Dispose() => _adapter.Dispose();

    internal sealed class FileAdapter : LockStoreAdapter, IDisposable
    {
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "padlock-tests", "file-" + Guid.NewGuid().ToString("N")[..8]);

        public override string? CrossProcessUri => "file://" + _dir;

        // Not FIFO: each provider is a store of its own, and the turn file goes to whoever asks first (embedded.md).
        public override bool CanInspect => true;

        public override ILockProvider CreateProvider()
            => new LockProvider(new FileLockStore(new FileLockOptions { Directory = _dir, LossCheckInterval = TimeSpan.FromMilliseconds(50) }));

        // Deleting the lock file is how a file lock is lost: a new file at the same path is a new lock.
        public override Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
        {
            File.Delete(((FileLockStore)((LockProvider)provider).Store).PathFor(handle.Name));
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }
    }
}
