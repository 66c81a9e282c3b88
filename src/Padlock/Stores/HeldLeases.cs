namespace Padlock.Stores;

/// <summary>
/// The holds a store has granted and not yet released, for the store's disposal: closing marks each lost, then
/// releases it, once. A lease leaves the set when it is released (by its holder or by the closing).
/// </summary>
/// <remarks>
/// A grant that races with the store's disposal is refused by <see cref="AdmitAsync{TLease}"/>: the lease is released
/// at once and the store's "disposed" error thrown, so no hold outlives the store.
/// </remarks>
public sealed class HeldLeases
{
    private readonly HashSet<StoreLease> _held = [];
    private bool _closed; // under _held

    /// <summary>Whether <see cref="CloseAsync"/> has begun.</summary>
    public bool IsClosed
    {
        get
        {
            lock (_held) return _closed;
        }
    }

    /// <summary>
    /// Adds a newly granted lease and returns it; when the set is already closed, releases the lease and throws the
    /// error <paramref name="closed"/> makes (typically <see cref="ObjectDisposedException"/>).
    /// </summary>
    public async ValueTask<TLease> AdmitAsync<TLease>(TLease lease, Func<Exception> closed) where TLease : StoreLease
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(closed);
        lock (_held)
        {
            if (!_closed)
            {
                _held.Add(lease);
                lease.HeldBy = this;
                return lease;
            }
        }
        await lease.ReleaseAsync().ConfigureAwait(false);
        throw closed();
    }

    /// <summary>The leases held now (a copy).</summary>
    public StoreLease[] Snapshot()
    {
        lock (_held) return [.. _held];
    }

    /// <summary>
    /// Closes the set, the first time only (true): every lease still in it is marked lost, then released, one by one.
    /// Later calls return false at once.
    /// </summary>
    public async ValueTask<bool> CloseAsync()
    {
        StoreLease[] held;
        lock (_held)
        {
            if (_closed) return false;
            _closed = true;
            held = [.. _held];
        }
        foreach (var lease in held)
        {
            lease.MarkLost();
            await lease.ReleaseAsync().ConfigureAwait(false);
        }
        return true;
    }

    internal void Remove(StoreLease lease)
    {
        lock (_held) _held.Remove(lease);
    }
}
