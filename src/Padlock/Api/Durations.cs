using System.Globalization;

namespace Padlock;

/// <summary>
/// Parses and formats the durations used in store URIs and on the command line: a number with a unit
/// (<c>250ms</c>, <c>30s</c>, <c>1.5m</c>, <c>2h</c>), or a .NET time span (<c>00:00:30</c>), or <c>infinite</c>.
/// </summary>
public static class Durations
{
    /// <summary>The accepted forms, for error messages.</summary>
    public const string AllowedForms = "a number with a unit (ms, s, m, h; e.g. 250ms, 30s, 1.5m), hh:mm:ss, or 'infinite'";

    /// <summary>Parses <paramref name="text"/>; <see langword="false"/> when it is not one of the <see cref="AllowedForms"/>.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim().ToLowerInvariant();
        if (s is "infinite" or "inf" or "forever")
        {
            value = Timeout.InfiniteTimeSpan;
            return true;
        }
        if (s.Contains(':'))
            return TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;

        // Longest unit first so "ms" is not read as "m" followed by junk.
        (string Unit, double Ms)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)];
        foreach (var (unit, ms) in units)
        {
            if (!s.EndsWith(unit, StringComparison.Ordinal)) continue;
            var number = s[..^unit.Length];
            if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return false;
            if (double.IsNaN(n) || n < 0 || n * ms > TimeSpan.MaxValue.TotalMilliseconds / 2) return false;
            value = TimeSpan.FromMilliseconds(n * ms);
            return true;
        }
        return false;
    }

    /// <summary>Parses <paramref name="text"/> or throws an <see cref="ArgumentException"/> naming <paramref name="what"/> and the allowed forms.</summary>
    public static TimeSpan Parse(string? text, string what)
        => TryParse(text, out var v) ? v : throw new ArgumentException($"Invalid duration '{text}' for {what}: expected {AllowedForms}.", what);

    /// <summary>Formats a duration compactly (<c>250ms</c>, <c>30s</c>, <c>1.5m</c>).</summary>
    public static string Format(TimeSpan value)
    {
        if (value == Timeout.InfiniteTimeSpan) return "infinite";
        if (value.TotalMilliseconds < 1000) return value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
        if (value.TotalSeconds < 120) return value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        if (value.TotalMinutes < 120) return value.TotalMinutes.ToString("0.###", CultureInfo.InvariantCulture) + "m";
        return value.TotalHours.ToString("0.###", CultureInfo.InvariantCulture) + "h";
    }
}
