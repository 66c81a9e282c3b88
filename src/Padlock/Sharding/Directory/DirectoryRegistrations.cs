namespace Padlock.Sharding.Directory;

/// <summary>
/// The directory registrations of one store (one client), by id: a second live registration of an id is refused before
/// any request, and one that was lost (or whose delete failed) can be replaced by this store, which owns its entry.
/// </summary>
internal sealed class DirectoryRegistrations<T>(Func<T, bool> isLive) where T : class
{
    private readonly Dictionary<string, T?> _byId = new(StringComparer.Ordinal);

    /// <summary>
    /// Reserves <paramref name="id"/> for a registration under way; false when a live one (or one under way) holds it.
    /// <paramref name="previous"/> is the last registration of the id, lost or disposed, if any.
    /// </summary>
    public bool TryReserve(string id, out T? previous)
    {
        lock (_byId)
        {
            _byId.TryGetValue(id, out previous);
            if (_byId.ContainsKey(id) && (previous is null || isLive(previous))) return false;
            _byId[id] = null;
            return true;
        }
    }

    /// <summary>Ends a reservation: with the new registration, or (null) restoring the previous one.</summary>
    public void Complete(string id, T? registration, T? previous)
    {
        lock (_byId)
        {
            var keep = registration ?? previous;
            if (keep is null) _byId.Remove(id);
            else _byId[id] = keep;
        }
    }

    /// <summary>
    /// Forgets <paramref name="registration"/> (disposed), unless the id was registered again since. True when it was
    /// the id's current registration: the id then stays reserved (a registration of it is refused) until
    /// <see cref="Release"/>, so a delete of its entry cannot race a new registration taking the entry over.
    /// </summary>
    public bool TryRemove(string id, T registration)
    {
        lock (_byId)
        {
            if (!_byId.TryGetValue(id, out var current) || !ReferenceEquals(current, registration)) return false;
            _byId[id] = null;
            return true;
        }
    }

    /// <summary>Ends the reservation <see cref="TryRemove"/> kept.</summary>
    public void Release(string id)
    {
        lock (_byId)
        {
            if (_byId.TryGetValue(id, out var current) && current is null) _byId.Remove(id);
        }
    }
}
