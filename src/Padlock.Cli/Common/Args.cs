using System.Globalization;

namespace Padlock.Cli.Common;

/// <summary>Parses option values, turning bad ones into a <see cref="UsageException"/> that names the option and the allowed form.</summary>
internal static class Args
{
    // Timers, Task.Delay and the library's timeouts stop at int.MaxValue milliseconds (about 24.8 days).
    private static readonly TimeSpan MaxDuration = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>A duration option: <c>0</c>, a number with a unit, hh:mm:ss, or (when allowed) <c>infinite</c>; at most about 24.8 days.</summary>
    public static TimeSpan Duration(string? text, string option, bool allowInfinite = false)
    {
        // A bare 0 needs no unit: it is zero in all of them (and docs/cli.md gives `--wait 0` as the default).
        if (text?.Trim() == "0") return TimeSpan.Zero;
        if (!Durations.TryParse(text, out var value) || (!allowInfinite && value == Timeout.InfiniteTimeSpan))
            throw new UsageException($"invalid duration '{text}' for {option}: expected {Durations.AllowedForms}{(allowInfinite ? "" : " (not infinite)")}");
        if (value != Timeout.InfiniteTimeSpan && value > MaxDuration)
            throw new UsageException($"duration '{text}' for {option} is too long: at most {MaxDuration.TotalDays:0.#} days ({Durations.Format(MaxDuration)}){(allowInfinite ? ", or 'infinite'" : "")}");
        return value;
    }

    /// <summary>
    /// Checks that <paramref name="path"/> can be written (its directory exists and takes new files; an existing file
    /// is writable) before any work whose result goes there.
    /// </summary>
    public static string OutputFile(string path, string option)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new UsageException($"invalid path '{path}' for {option}: it is a directory; expected a file name");
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new UsageException($"invalid path '{path}' for {option}: directory '{dir}' does not exist");
        try
        {
            if (File.Exists(full))
            {
                using var _ = new FileStream(full, FileMode.Open, FileAccess.Write);
            }
            else
            {
                // Creating and deleting a probe leaves no half-written file behind if the work fails.
                var probe = Path.Combine(dir, $".padlock-{Guid.NewGuid():N}.tmp");
                using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write)) { }
                File.Delete(probe);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"invalid path '{path}' for {option}: cannot write there: {ex.Message}");
        }
        return path;
    }

    public static int Positive(int value, string option, int max = 100_000)
        => value >= 1 && value <= max ? value : throw new UsageException($"invalid value {value} for {option}: expected 1 to {max.ToString(CultureInfo.InvariantCulture)}");

    public static string LockName(string? name)
    {
        try
        {
            LockNames.Validate(name!);
            return name!;
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"invalid lock name: {Clean(ex.Message)}");
        }
    }

    /// <summary>An exception message without .NET's " (Parameter 'x')" suffix.</summary>
    public static string Clean(string message) => message.Split(" (Parameter '")[0];
}
