using System.Security.Cryptography;

namespace Padlock.Redis;

/// <summary>
/// Owner tokens: 128 random bits (so no two holders ever share one) followed by the holder's description, which
/// <c>padlock status</c> shows for the holder and each waiter.
/// </summary>
internal static class OwnerTokens
{
    /// <summary>A new token for a holder described by <paramref name="owner"/>.</summary>
    public static string New(string owner) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + ":" + owner;

    /// <summary>The description part of <paramref name="token"/>.</summary>
    public static string Describe(string token)
    {
        var colon = token.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? token : token[(colon + 1)..];
    }
}
