namespace Padlock.Samples.Fencing;

/// <summary>
/// A resource refused an operation because a newer holder has already been there: the caller's lock was lost. Stop the
/// work; retrying with the same token can never succeed.
/// </summary>
public sealed class StaleFencingTokenException(long token, string resource)
    : Exception($"{resource} refused fencing token {token}: a newer holder has been here, so this holder's lock was lost.")
{
    /// <summary>The token that was refused.</summary>
    public long Token { get; } = token;
}
