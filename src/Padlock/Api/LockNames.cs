namespace Padlock;

/// <summary>The rules every store applies to lock names.</summary>
public static class LockNames
{
    /// <summary>The longest name accepted, in UTF-16 characters: 512.</summary>
    public const int MaxLength = 512;

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the problem when <paramref name="name"/> is not a valid lock name:
    /// null, empty or whitespace only, longer than <see cref="MaxLength"/>, or not well-formed UTF-16 (a lone surrogate).
    /// Every other string is a name, and two different names never share a lock on any store.
    /// </summary>
    /// <param name="name">The candidate name.</param>
    /// <param name="paramName">The parameter name to report.</param>
    public static void Validate(string name, string paramName = "name")
    {
        if (name is null)
            throw new ArgumentNullException(paramName, "A lock name is required: a non-empty string of at most 512 characters.");
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException("A lock name must contain a non-whitespace character (any characters are allowed, at most 512).", paramName);
        if (name.Length > MaxLength)
            throw new ArgumentException($"A lock name may be at most {MaxLength} characters; this one has {name.Length}.", paramName);
        var bad = FirstLoneSurrogate(name);
        if (bad >= 0)
            throw new ArgumentException(
                $"A lock name must be well-formed UTF-16: the character at index {bad} (U+{(int)name[bad]:X4}) is a lone surrogate. " +
                "Stores key locks by the name's UTF-8 bytes, where every lone surrogate becomes U+FFFD, so two different names " +
                "would share one lock; pair it or remove it.", paramName);
    }

    /// <summary>The index of the first surrogate that is not half of a valid pair, or -1.</summary>
    private static int FirstLoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (!char.IsSurrogate(c)) continue;
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
                continue;
            }
            return i;
        }
        return -1;
    }
}
