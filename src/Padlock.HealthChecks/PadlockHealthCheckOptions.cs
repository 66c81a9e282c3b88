namespace Padlock.HealthChecks;

/// <summary>How the Padlock health check probes its store.</summary>
public sealed class PadlockHealthCheckOptions
{
    /// <summary>
    /// The key of the <see cref="ILockProvider"/> to probe, as given to <c>AddKeyedPadlock</c>; null (the default)
    /// probes the unkeyed provider registered with <c>AddPadlock</c>.
    /// </summary>
    public object? ServiceKey { get; set; }

    /// <summary>
    /// A probe whose round trip (acquire and release) takes longer than this reports Degraded. Default: 1 s. Allowed:
    /// zero (every probe is degraded; for tests) to <see cref="Timeout"/>.
    /// </summary>
    public TimeSpan DegradedThreshold { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a probe may wait for the store, connecting included; a probe that gets no answer by then reports the
    /// registration's failure status (Unhealthy by default). Default: 5 s. Allowed: 1 ms to 5 min.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The lock the probe takes and releases. Default: <c>padlock-health/HOST/PID</c>, one per process, so instances
    /// of an application never contend for it and a store keeps at most one probe entry per process.
    /// </summary>
    public string LockName { get; set; } = $"padlock-health/{Environment.MachineName}/{Environment.ProcessId}";

    internal void Validate()
    {
        if (Timeout < TimeSpan.FromMilliseconds(1) || Timeout > TimeSpan.FromMinutes(5))
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "PadlockHealthCheckOptions.Timeout must be between 1ms and 5min.");
        if (DegradedThreshold < TimeSpan.Zero || DegradedThreshold > Timeout)
            throw new ArgumentOutOfRangeException(nameof(DegradedThreshold), DegradedThreshold, $"PadlockHealthCheckOptions.DegradedThreshold must be between 0 and Timeout ({Durations.Format(Timeout)}).");
        LockNames.Validate(LockName);
    }
}
