using System.Globalization;
using System.Security.Cryptography;

namespace Padlock.Redis;

/// <summary>
/// Owner tokens, "hex/lease-ms:description": 128 random bits (so no two holders ever share one), the lease the
/// holder counts on (a release that hands the lock to a waiter gives it exactly that lease), and the holder's
/// description, which <c>padlock status</c> shows for the holder and each waiter.
/// </summary>
internal static class OwnerTokens
{
    /// <summary>A new token for a holder described by <paramref name="owner"/> that counts on <paramref name="lease"/>.</summary>
    public static string New(string owner, TimeSpan lease)
    {
        // One string per token: the random bytes and the hex stay on the stack.
        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        Span<char> hex = stackalloc char[32];
        Convert.TryToHexStringLower(random, hex, out _);
        return string.Create(CultureInfo.InvariantCulture, $"{hex}/{(long)lease.TotalMilliseconds}:{owner}");
    }

    /// <summary>The description part of <paramref name="token"/>.</summary>
    public static string Describe(string token)
    {
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? token : token[(colon + 1)..];
    }
}
