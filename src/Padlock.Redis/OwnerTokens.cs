using System.Globalization;
using System.Security.Cryptography;

namespace Padlock.Redis;

/// <summary>
/// Owner tokens, "hex/lease-ms:description": 128 bits that no two holders ever share, the lease the
/// holder counts on (a release that hands the lock to a waiter gives it exactly that lease), and the holder's
/// description, which <c>padlock status</c> shows for the holder and each waiter.
/// </summary>
internal static class OwnerTokens
{
    // 64 random bits drawn once per process and a 64-bit count: every token is unique across processes (the random
    // part) and within this one (the count), and making one costs no call into the system's random source.
    private static readonly ulong ProcessPart = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private static long _count;

    /// <summary>A new token for a holder described by <paramref name="owner"/> that counts on <paramref name="lease"/>.</summary>
    public static string New(string owner, TimeSpan lease) => New(ProcessPart, owner, lease);

    /// <summary>
    /// A new token whose first 16 hex digits are <paramref name="inbox"/>: the store's wake-up inbox, to which the
    /// scripts address the messages for this holder or waiter (<see cref="InboxOf"/>).
    /// </summary>
    public static string New(ulong inbox, string owner, TimeSpan lease)
        => string.Create(CultureInfo.InvariantCulture, $"{inbox:x16}{(ulong)Interlocked.Increment(ref _count):x16}/{(long)lease.TotalMilliseconds}:{owner}");

    /// <summary>A new random inbox id for a store (64 bits: unique among the stores on one Redis).</summary>
    public static ulong NewInbox() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>The inbox part of a token, as the scripts take it (its first 16 characters).</summary>
    public static string InboxOf(ulong inbox) => inbox.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>The description part of <paramref name="token"/>.</summary>
    public static string Describe(string token)
    {
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? token : token[(colon + 1)..];
    }
}
