namespace Padlock;

/// <summary>The rules every store applies to lock names.</summary>
public static class LockNames
{
    /// <summary>The longest name accepted, in UTF-16 characters: 512.</summary>
    public const int MaxLength = 512;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the problem when <paramref name="name"/> is not a valid lock name.</summary>
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
    }
}
