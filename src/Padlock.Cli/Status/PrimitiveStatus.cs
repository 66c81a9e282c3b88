using Padlock.Cli.Common;

namespace Padlock.Cli.Status;

/// <summary>
/// <c>padlock status</c> for the primitives other than the lock. An election is read (its leader's value and term, on
/// every store that has elections). A semaphore or reader-writer lock is probed with zero-timeout acquires released at
/// once, which tells free from full (semaphore) and free / read-held / write-held (reader-writer) but not who holds.
/// </summary>
internal static class PrimitiveStatus
{
    public static async Task<LockReport> ElectionAsync(LockProvider provider, string name, string uri, CancellationToken ct)
    {
        var leader = await provider.CreateElection(name).GetLeaderAsync(ct);
        return leader is null
            ? new LockReport(name, StoreOpener.Shown(uri), "no leader", "election")
            : new LockReport(name, StoreOpener.Shown(uri), "led", "election", leader.Term, leader.Value);
    }

    public static async Task<LockReport> SemaphoreAsync(LockProvider provider, string name, int permits, string uri, CancellationToken ct)
    {
        // A probe permit takes a fencing token, which is harmless: tokens only need to increase.
        var handle = await provider.CreateSemaphore(name, permits).TryAcquireAsync(TimeSpan.Zero, ct);
        if (handle is null) return new LockReport(name, StoreOpener.Shown(uri), "full", "probe");
        await handle.DisposeAsync();
        return new LockReport(name, StoreOpener.Shown(uri), "free", "probe");
    }

    public static async Task<LockReport> ReaderWriterAsync(LockProvider provider, string name, string uri, CancellationToken ct)
    {
        var rw = provider.CreateReaderWriterLock(name);
        var write = await rw.TryAcquireWriteAsync(TimeSpan.Zero, ct);
        if (write is not null)
        {
            await write.DisposeAsync();
            return new LockReport(name, StoreOpener.Shown(uri), "free", "probe");
        }
        var read = await rw.TryAcquireReadAsync(TimeSpan.Zero, ct);
        if (read is null) return new LockReport(name, StoreOpener.Shown(uri), "write-held", "probe");
        await read.DisposeAsync();
        return new LockReport(name, StoreOpener.Shown(uri), "read-held", "probe");
    }
}
