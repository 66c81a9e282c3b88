using System.Globalization;
using Padlock.Bench.Harness;

namespace Padlock.Bench.Processes;

/// <summary>
/// What one lock worker process is told on its command line, in this order after its mode flag:
/// <c>KIND PREFIX NAMES CALLERS WARMUP-SECONDS SECONDS FLAGS-FILE COUNTER STORE-ARGS...</c>. KIND names the contender,
/// the names are PREFIX0..PREFIX(NAMES-1), COUNTER is "-" for none, and STORE-ARGS (endpoints, connection strings) are
/// the store's own.
/// </summary>
internal sealed record WorkerPlan(string Kind, string Prefix, int Names, int Callers, double WarmupSeconds, double Seconds, string FlagsFile, string? Counter, string[] Store)
{
    /// <summary>How many arguments come before the store's own.</summary>
    public const int CommonArgs = 8;

    /// <summary>A plan for one run of the suite: warm-up and window from <paramref name="settings"/>, a new flags file path.</summary>
    public static WorkerPlan For(string kind, string prefix, int names, int callers, BenchSettings settings, string? counter, params string[] store) =>
        new(kind, prefix, names, callers, settings.Warmup.TotalSeconds, settings.Duration.TotalSeconds,
            Path.Combine(Path.GetTempPath(), $"padlock-bench-flags-{Guid.NewGuid():N}"), counter, store);

    /// <summary>Reads a plan from the worker's arguments (the mode flag removed).</summary>
    public static WorkerPlan Parse(string[] args) =>
        new(args[0], args[1], Int(args[2]), Int(args[3]), Double(args[4]), Double(args[5]), args[6], args[7] == "-" ? null : args[7], args[CommonArgs..]);

    /// <summary>The command line of a worker in mode <paramref name="flag"/>.</summary>
    public string[] ToArgs(string flag) =>
        [flag, Kind, Prefix, S(Names), S(Callers), S(WarmupSeconds), S(Seconds), FlagsFile, Counter ?? "-", .. Store];

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    private static double Double(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private static string S(IFormattable v) => v.ToString(null, CultureInfo.InvariantCulture);
}
