using Padlock.Cli.Common;
using Padlock.Stores;

namespace Padlock.Cli.Status;

/// <summary>
/// <c>padlock status</c> for the primitives other than the lock. A store that implements <see cref="IPrimitiveInspector"/>
/// tells the holders (owner, token, lease, mode, value) and the waiters in line. Any other store is read as before: an
/// election's leader (value and term), and a semaphore or reader-writer lock probed with zero-timeout acquires released
/// at once, which tells free from full (semaphore) and free / read-held / write-held (reader-writer) but not who holds.
/// </summary>
internal static class PrimitiveProbe
{
    public static async Task<LockReport> ElectionAsync(LockProvider provider, string name, string uri, CancellationToken ct)
    {
        if (provider.Store is IPrimitiveInspector inspector)
        {
            try
            {
                var s = await inspector.InspectElectionAsync(name, ct);
                var leader = s.Holders.Count > 0 ? s.Holders[0] : null;
                // The leader's value is shown where the report has always put it (the owner field), its term as the token.
                return Report(s, uri, leader is null ? "no leader" : "led", "election", "election") with { FencingToken = leader?.FencingToken, Owner = leader?.Value };
            }
            catch (NotSupportedException)
            {
                // A sharded store whose shard cannot inspect (or has no elections): read it as any other store.
            }
        }
        var info = await provider.CreateElection(name).GetLeaderAsync(ct);
        return info is null
            ? new LockReport(name, StoreOpener.Shown(uri), "no leader", "election", Primitive: "election")
            : new LockReport(name, StoreOpener.Shown(uri), "led", "election", info.Term, info.Value, Primitive: "election");
    }

    public static async Task<LockReport> SemaphoreAsync(LockProvider provider, string name, int permits, string uri, CancellationToken ct)
    {
        if (provider.Store is IPrimitiveInspector inspector)
        {
            try
            {
                var s = await inspector.InspectSemaphoreAsync(name, permits, ct);
                return Report(s, uri, s.Holders.Count >= permits ? "full" : "free", "inspector", "semaphore") with { Permits = permits };
            }
            catch (NotSupportedException)
            {
                // A sharded store whose shard cannot inspect (or has no elections): read it as any other store.
            }
        }
        // A probe permit takes a fencing token, which is harmless: tokens only need to increase.
        var handle = await provider.CreateSemaphore(name, permits).TryAcquireAsync(TimeSpan.Zero, ct);
        if (handle is null) return new LockReport(name, StoreOpener.Shown(uri), "full", "probe", Primitive: "semaphore", Permits: permits);
        await handle.DisposeAsync();
        return new LockReport(name, StoreOpener.Shown(uri), "free", "probe", Primitive: "semaphore", Permits: permits);
    }

    public static async Task<LockReport> ReaderWriterAsync(LockProvider provider, string name, string uri, CancellationToken ct)
    {
        if (provider.Store is IPrimitiveInspector inspector)
        {
            try
            {
                var s = await inspector.InspectReaderWriterAsync(name, ct);
                var state = s.Holders.Count == 0 ? "free" : s.Holders.Any(h => h.Mode == LockMode.Write) ? "write-held" : "read-held";
                return Report(s, uri, state, "inspector", "rw");
            }
            catch (NotSupportedException)
            {
                // A sharded store whose shard cannot inspect (or has no elections): read it as any other store.
            }
        }
        var rw = provider.CreateReaderWriterLock(name);
        var write = await rw.TryAcquireWriteAsync(TimeSpan.Zero, ct);
        if (write is not null)
        {
            await write.DisposeAsync();
            return new LockReport(name, StoreOpener.Shown(uri), "free", "probe", Primitive: "rw");
        }
        var read = await rw.TryAcquireReadAsync(TimeSpan.Zero, ct);
        if (read is null) return new LockReport(name, StoreOpener.Shown(uri), "write-held", "probe", Primitive: "rw");
        await read.DisposeAsync();
        return new LockReport(name, StoreOpener.Shown(uri), "read-held", "probe", Primitive: "rw");
    }

    private static LockReport Report(PrimitiveStatus s, string uri, string state, string source, string primitive)
        => new(s.Name, StoreOpener.Shown(uri), state, source, Primitive: primitive,
            Holders: [.. s.Holders.Select(Entry)], Waiting: s.Waiters is null ? null : [.. s.Waiters.Select(Entry)]);

    private static EntryReport Entry(PrimitiveEntry e)
        => new(e.Owner, e.FencingToken, e.Since, e.LeaseRemaining?.TotalSeconds,
            e.Mode switch { LockMode.Read => "read", LockMode.Write => "write", _ => null }, e.Value);
}
