namespace Padlock.Internal;

/// <summary>Checks the timeouts users pass, once for every store.</summary>
internal static class TimeoutValidation
{
    // Timers and CancellationTokenSource cap at int.MaxValue milliseconds; say so up front instead of failing deep inside a store.
    internal static readonly TimeSpan Max = TimeSpan.FromMilliseconds(int.MaxValue);

    internal static TimeSpan Check(TimeSpan timeout, string paramName = "timeout")
    {
        if (timeout == Timeout.InfiniteTimeSpan) return timeout;
        if (timeout < TimeSpan.Zero || timeout > Max)
            throw new ArgumentOutOfRangeException(paramName, timeout,
                $"A timeout must be zero (one attempt), positive up to {Max.TotalDays:0.#} days, or Timeout.InfiniteTimeSpan (wait forever).");
        return timeout;
    }
}
