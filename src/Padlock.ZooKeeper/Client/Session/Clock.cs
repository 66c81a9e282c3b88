namespace Padlock.ZooKeeper.Client.Session;

/// <summary>Milliseconds on the injected clock, for the client's deadlines and silence measures (monotonic with the system clock).</summary>
internal static class Clock
{
    /// <summary>The provider's timestamp in milliseconds; only differences mean anything.</summary>
    public static long NowMs(this TimeProvider time) => (long)(time.GetTimestamp() * 1000.0 / time.TimestampFrequency);
}
