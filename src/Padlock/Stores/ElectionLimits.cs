using System.Text;

namespace Padlock.Stores;

/// <summary>The bounds on an election's values (see <see cref="IElectionStore"/>).</summary>
public static class ElectionLimits
{
    /// <summary>
    /// The largest value a campaigner may campaign with or proclaim: 64 KiB of UTF-8. Well under ZooKeeper's 1 MiB node
    /// limit and etcd's 1.5 MiB request limit; an election value is meant to be an address or an id, not a payload.
    /// </summary>
    public const int MaxValueBytes = 64 * 1024;

    /// <summary>Checks a campaign or proclaim value.</summary>
    /// <param name="value">The value.</param>
    /// <param name="paramName">The argument's name, for the exception.</param>
    /// <exception cref="ArgumentException">The value is null, empty, or more than <see cref="MaxValueBytes"/> bytes of UTF-8.</exception>
    public static void ValidateValue(string value, string paramName)
    {
        if (string.IsNullOrEmpty(value))
            throw new ArgumentException("An election value must be a non-empty string (for example the leader's address or id).", paramName);
        var bytes = Encoding.UTF8.GetByteCount(value);
        if (bytes > MaxValueBytes)
            throw new ArgumentException($"An election value may be at most {MaxValueBytes} bytes of UTF-8; this one is {bytes}.", paramName);
    }
}
