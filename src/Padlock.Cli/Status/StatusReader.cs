using Padlock.Cli.Common;
using Padlock.Stores;

namespace Padlock.Cli.Status;

/// <summary>
/// Reads a lock's state. A store that implements <see cref="ILockInspector"/> tells holder, token, lease and waiters;
/// any other store is probed with one try-lock (released at once), which can only say held or free.
/// </summary>
internal static class StatusReader
{
    public static async Task<LockReport> ReadAsync(string name, string uri, CancellationToken ct)
    {
        await using var provider = StoreOpener.Open(uri);
        try
        {
            if (provider.Store is ILockInspector inspector)
            {
                var s = await inspector.InspectAsync(name, ct);
                return new LockReport(name, StoreOpener.Shown(uri), s.IsHeld ? "held" : "free", "inspector", s.FencingToken, s.Owner, s.Since,
                    s.LeaseRemaining?.TotalSeconds, s.Waiters);
            }
            // The probe takes a fencing token when the lock is free; that is harmless (tokens only need to increase).
            var handle = await provider.CreateLock(name).TryAcquireAsync(TimeSpan.Zero, ct);
            if (handle is null) return new LockReport(name, StoreOpener.Shown(uri), "held", "probe");
            await handle.DisposeAsync();
            return new LockReport(name, StoreOpener.Shown(uri), "free", "probe");
        }
        catch (LockStoreUnavailableException ex)
        {
            throw new StoreUnreachableException(uri, ex);
        }
    }
}
