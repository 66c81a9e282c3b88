using System.Globalization;

namespace Padlock.Cli.Common;

/// <summary>Parses option values, turning bad ones into a <see cref="UsageException"/> that names the option and the allowed form.</summary>
internal static class Args
{
    public static TimeSpan Duration(string? text, string option, bool allowInfinite = false)
    {
        if (!Durations.TryParse(text, out var value) || (!allowInfinite && value == Timeout.InfiniteTimeSpan))
            throw new UsageException($"invalid duration '{text}' for {option}: expected {Durations.AllowedForms}{(allowInfinite ? "" : " (not infinite)")}");
        return value;
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
