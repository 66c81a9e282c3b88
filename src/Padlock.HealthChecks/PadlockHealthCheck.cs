using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Padlock.HealthChecks;

/// <summary>
/// Probes a store by taking and releasing a lock no one else uses: a store that grants it answers requests, and the
/// time for both is the round trip the application's own locks pay. Unreachable or silent within the timeout is the
/// registration's failure status; slower than the threshold is Degraded. The first probe includes connecting.
/// </summary>
internal sealed class PadlockHealthCheck(IServiceProvider services, PadlockHealthCheckOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>();
        try
        {
            // Resolved per probe, not at construction: a provider that cannot be built is an unhealthy store too.
            var provider = options.ServiceKey is null
                ? services.GetRequiredService<ILockProvider>()
                : services.GetRequiredKeyedService<ILockProvider>(options.ServiceKey);
            data["store"] = provider.StoreKind;
            var started = Stopwatch.GetTimestamp();
            var handle = await provider.CreateLock(options.LockName).TryAcquireAsync(options.Timeout, cancellationToken).ConfigureAwait(false);
            if (handle is null)
                return new HealthCheckResult(context.Registration.FailureStatus,
                    $"The {provider.StoreKind} store did not grant the probe lock '{options.LockName}' within {Durations.Format(options.Timeout)}.", data: data);
            await handle.DisposeAsync().ConfigureAwait(false);
            var roundTrip = Stopwatch.GetElapsedTime(started);
            data["roundTripMs"] = roundTrip.TotalMilliseconds;
            return roundTrip > options.DegradedThreshold
                ? HealthCheckResult.Degraded($"The {provider.StoreKind} store answered in {roundTrip.TotalMilliseconds:F1} ms, above the {Durations.Format(options.DegradedThreshold)} threshold.", data: data)
                : HealthCheckResult.Healthy($"The {provider.StoreKind} store answered in {roundTrip.TotalMilliseconds:F1} ms.", data);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"The lock store is unreachable: {ex.Message}", ex, data);
        }
    }
}
