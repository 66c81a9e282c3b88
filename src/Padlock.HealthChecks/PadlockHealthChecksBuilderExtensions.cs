using Microsoft.Extensions.Diagnostics.HealthChecks;
using Padlock.HealthChecks;

// In the DI namespace, as Microsoft.Extensions packages do, so AddPadlock shows up after AddHealthChecks().
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Padlock store check to <c>services.AddHealthChecks()</c>.</summary>
public static class PadlockHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check that takes and releases a probe lock on the store of the registered <see cref="Padlock.ILockProvider"/>
    /// (keyed with <see cref="PadlockHealthCheckOptions.ServiceKey"/>): Healthy with the round trip in the data
    /// ("roundTripMs"), Degraded above <see cref="PadlockHealthCheckOptions.DegradedThreshold"/>, and
    /// <paramref name="failureStatus"/> (default Unhealthy) when the store is unreachable or silent for
    /// <see cref="PadlockHealthCheckOptions.Timeout"/>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name. Default: "padlock".</param>
    /// <param name="configure">Changes the options; they are checked now.</param>
    /// <param name="failureStatus">The status reported when the store cannot be reached. Default: Unhealthy.</param>
    /// <param name="tags">Tags for filtering checks.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it and the allowed values.</exception>
    public static IHealthChecksBuilder AddPadlock(this IHealthChecksBuilder builder, string name = "padlock",
        Action<PadlockHealthCheckOptions>? configure = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new PadlockHealthCheckOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.Add(new HealthCheckRegistration(name, sp => new PadlockHealthCheck(sp, options), failureStatus, tags));
    }
}
