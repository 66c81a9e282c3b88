using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Padlock.Telemetry;

/// <summary>
/// The names Padlock's telemetry is published under, for OpenTelemetry or dotnet-counters:
/// <c>AddMeter(PadlockTelemetry.MeterName)</c> and <c>AddSource(PadlockTelemetry.ActivitySourceName)</c>.
/// Every instrument carries the tags <c>padlock.store</c> (the URI scheme), <c>padlock.primitive</c> (<c>lock</c>, <c>semaphore</c>) and, where it applies, <c>padlock.outcome</c>.
/// </summary>
public static class PadlockTelemetry
{
    /// <summary>"Padlock": the Meter and the ActivitySource share it.</summary>
    public const string MeterName = "Padlock";

    /// <summary>"Padlock".</summary>
    public const string ActivitySourceName = "Padlock";

    internal static readonly ActivitySource Source = new(ActivitySourceName, typeof(PadlockTelemetry).Assembly.GetName().Version?.ToString());
    internal static readonly Meter Meter = new(MeterName, typeof(PadlockTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Locks granted.</summary>
    internal static readonly Counter<long> Acquisitions = Meter.CreateCounter<long>("padlock.lock.acquisitions", "{acquisition}", "Locks granted");

    /// <summary>Acquire attempts that ended without the lock: busy, timeout, cancelled, error.</summary>
    internal static readonly Counter<long> Failures = Meter.CreateCounter<long>("padlock.lock.failures", "{attempt}", "Acquire attempts that did not get the lock");

    /// <summary>Holds the store reported lost before release.</summary>
    internal static readonly Counter<long> Losses = Meter.CreateCounter<long>("padlock.lock.losses", "{loss}", "Held locks lost before release");

    internal static readonly Histogram<double> AcquireDuration = Meter.CreateHistogram<double>("padlock.lock.acquire.duration", "s", "Time from the acquire call to its outcome");

    internal static readonly Histogram<double> HoldDuration = Meter.CreateHistogram<double>("padlock.lock.hold.duration", "s", "Time from grant to release or loss");
}
