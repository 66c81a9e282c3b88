using System.Collections.Concurrent;

namespace Padlock.Redis.Keys;

/// <summary>
/// A store's <see cref="LockKeys"/> by name, so an acquire does not build five strings and a key array each time (the
/// cohort that would hold them is retired whenever the name falls idle). Bounded: when it reaches
/// <see cref="Capacity"/> names it starts over, so a store touching many names keeps little for them.
/// </summary>
internal sealed class LockKeyCache(string prefix)
{
    /// <summary>How many names are kept before the cache starts over.</summary>
    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<string, LockKeys> _byName = new(StringComparer.Ordinal);

    /// <summary>The keys of <paramref name="name"/>.</summary>
    public LockKeys For(string name)
    {
        if (_byName.TryGetValue(name, out var keys)) return keys;
        keys = LockKeys.For(prefix, name);
        if (_byName.Count >= Capacity) _byName.Clear();
        _byName.TryAdd(name, keys);
        return keys;
    }
}
