using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Padlock.HealthChecks.Tests;

/// <summary>The health check on a file:// store, run through the real <see cref="HealthCheckService"/>.</summary>
public sealed class FileStoreHealthTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "padlock-health-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_working_store_is_healthy_and_reports_its_round_trip()
    {
        var entry = await CheckAsync(s => s.AddPadlock("file://" + _dir), h => h.AddPadlock());
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("file", entry.Data["store"]);
        Assert.True((double)entry.Data["roundTripMs"] >= 0);
        // The probe lock was released: another process (here another provider) can take it at once.
        await using var other = LockProvider.Create("file://" + _dir);
        await using var held = await other.CreateLock(new PadlockHealthCheckOptions().LockName).TryAcquireAsync(TimeSpan.Zero);
        Assert.NotNull(held);
    }

    [Fact]
    public async Task A_round_trip_above_the_threshold_is_degraded()
    {
        // A zero threshold makes every measured round trip "above" it, without depending on how slow the machine is.
        var entry = await CheckAsync(s => s.AddPadlock("file://" + _dir), h => h.AddPadlock(configure: o => o.DegradedThreshold = TimeSpan.Zero));
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("above the 0ms threshold", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_store_that_cannot_be_opened_is_unhealthy_with_the_reason()
    {
        // The lock directory's path is a regular file, so the store cannot be built.
        File.WriteAllText(_dir, "not a directory");
        var entry = await CheckAsync(s => s.AddPadlock("file://" + _dir), h => h.AddPadlock());
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.StartsWith("The lock store is unreachable", entry.Description, StringComparison.Ordinal);
        Assert.NotNull(entry.Exception);
    }

    [Fact]
    public async Task A_keyed_provider_is_probed_by_its_key()
    {
        var entry = await CheckAsync(s => s.AddKeyedPadlock("orders", "file://" + _dir).AddPadlock("mem://"),
            h => h.AddPadlock(configure: o => o.ServiceKey = "orders"));
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("file", entry.Data["store"]);
    }

    [Fact]
    public void Bad_options_fail_at_registration_naming_the_option()
    {
        var builder = new ServiceCollection().AddHealthChecks();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddPadlock(configure: o => o.DegradedThreshold = TimeSpan.FromMinutes(1)));
        Assert.Contains("DegradedThreshold", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => builder.AddPadlock(configure: o => o.Timeout = TimeSpan.Zero));
        Assert.Contains("Timeout", ex.Message, StringComparison.Ordinal);
    }

    internal static async Task<HealthReportEntry> CheckAsync(Action<IServiceCollection> padlock, Action<IHealthChecksBuilder> check)
    {
        var services = Services();
        padlock(services);
        check(services.AddHealthChecks());
        await using var sp = services.BuildServiceProvider();
        var report = await sp.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return Assert.Single(report.Entries).Value;
    }

    /// <summary>A container with what HealthCheckService needs (loggers, here silent) and nothing else.</summary>
    internal static IServiceCollection Services()
        => new ServiceCollection().AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
        else if (File.Exists(_dir)) File.Delete(_dir);
    }
}
