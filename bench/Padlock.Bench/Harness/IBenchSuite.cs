namespace Padlock.Bench.Harness;

/// <summary>
/// One family of benchmarks (a store against its peers and its physical limit), run by name:
/// <c>dotnet run -c Release --project bench/Padlock.Bench -- NAME [seconds]</c>. Suites are found by reflection,
/// so adding one is adding a class.
/// </summary>
public interface IBenchSuite
{
    /// <summary>The name on the command line ("redis", "zk-client", "zk", "etcd", "core").</summary>
    string Name { get; }

    /// <summary>Starts what it needs (real servers on loopback), measures, prints a Markdown table to <paramref name="report"/>.</summary>
    Task RunAsync(BenchSettings settings, Report report);
}

/// <summary>Settings common to every suite.</summary>
/// <param name="Duration">How long each measured case runs.</param>
/// <param name="Warmup">How long each case runs before measuring.</param>
public sealed record BenchSettings(TimeSpan Duration, TimeSpan Warmup);
