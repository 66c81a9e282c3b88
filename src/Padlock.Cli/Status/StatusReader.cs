using Padlock.Cli.Common;
using Padlock.Stores;

namespace Padlock.Cli.Status;

/// <summary>
/// Reads a lock's state. A store that implements <see cref="ILockInspector"/> tells holder, token, lease and waiters;
/// any other store is probed with one try-lock (released at once), which can only say held or free.
/// </summary>
internal static class StatusReader
{
    public static async Task<LockReport> ReadAsync(string name, string uri, StatusTarget target, CancellationToken ct)
    {
        await using var provider = StoreOpener.Open(uri);
        try
        {
            switch (target.Kind)
            {
                case StatusKind.Election: return await PrimitiveProbe.ElectionAsync(provider, name, uri, ct);
                case StatusKind.Semaphore: return await PrimitiveProbe.SemaphoreAsync(provider, name, target.Permits, uri, ct);
                case StatusKind.ReaderWriter: return await PrimitiveProbe.ReaderWriterAsync(provider, name, uri, ct);
            }
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

/// <summary>Which primitive of a name <c>padlock status</c> reads.</summary>
internal enum StatusKind
{
    /// <summary>The exclusive lock.</summary>
    Lock,

    /// <summary>A semaphore: inspected where the store can, else probed.</summary>
    Semaphore,

    /// <summary>A reader-writer lock: inspected where the store can, else probed.</summary>
    ReaderWriter,

    /// <summary>An election, read.</summary>
    Election,
}

/// <summary>The primitive <c>padlock status</c> reads, and a semaphore's permit count.</summary>
internal readonly record struct StatusTarget(StatusKind Kind, int Permits = 0);
