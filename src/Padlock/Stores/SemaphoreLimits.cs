namespace Padlock.Stores;

/// <summary>Bounds on semaphore arguments.</summary>
public static class SemaphoreLimits
{
    /// <summary>The largest maxCount accepted: 10,000.</summary>
    public const int MaxCount = 10_000;
}
