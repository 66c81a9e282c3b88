using System.Diagnostics;
using System.Globalization;

namespace Padlock.Testing.Contract;

/// <summary>The other process of the two-process semaphore stress check (Padlock.LockHolder --semaphore-stress).</summary>
public static class SemaphoreStress
{
    /// <summary>Runs the other process to its end and returns its permits' spans (monotonic timestamps) and tokens.</summary>
    public static Task<List<(long Start, long End, long Token)>> StartAsync(string uri, string name, int maxCount, int workers, int rounds, string hold)
        => RunAsync(uri, name, maxCount.ToString(CultureInfo.InvariantCulture), workers, rounds, hold);

    /// <summary>As <see cref="StartAsync"/>, taking the name's lock instead of a permit.</summary>
    public static Task<List<(long Start, long End, long Token)>> StartLockAsync(string uri, string name, int workers, int rounds, string hold)
        => RunAsync(uri, name, "lock", workers, rounds, hold);

    private static async Task<List<(long Start, long End, long Token)>> RunAsync(string uri, string name, string maxCount, int workers, int rounds, string hold)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { HolderProcess.HolderDll(), "--semaphore-stress", maxCount,
            workers.ToString(CultureInfo.InvariantCulture), rounds.ToString(CultureInfo.InvariantCulture), hold, uri, name })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var output = await process.StandardOutput.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        if (process.ExitCode != 0 || !output.Contains("done", StringComparison.Ordinal))
            throw new InvalidOperationException($"The stress process failed ({process.ExitCode}): {output} {await process.StandardError.ReadToEndAsync(cts.Token)}");
        return [.. output.Split('\n').Where(l => l.StartsWith("held ", StringComparison.Ordinal)).Select(l =>
        {
            var p = l.Trim().Split(' ');
            return (long.Parse(p[1], CultureInfo.InvariantCulture), long.Parse(p[2], CultureInfo.InvariantCulture), long.Parse(p[3], CultureInfo.InvariantCulture));
        })];
    }

    /// <summary>The most spans that overlap at one instant (a span's end before another's start at the same timestamp).</summary>
    public static int MostAtOnce(IEnumerable<(long Start, long End, long Token)> spans)
    {
        var events = spans.SelectMany(s => new[] { (At: s.Start, Delta: 1), (At: s.End, Delta: -1) }).OrderBy(e => e.At).ThenBy(e => e.Delta);
        int now = 0, most = 0;
        foreach (var e in events) most = Math.Max(most, now += e.Delta);
        return most;
    }
}
