using System.Diagnostics;
using Xunit;

namespace Padlock.Testing;

/// <summary>
/// Polls a state probe until it holds, instead of sleeping a fixed time and asserting. The bound only turns a hang into
/// a failure that names what did not happen; a working system meets the condition long before it.
/// </summary>
public static class Eventually
{
    /// <summary>The bound when none is given: 30 s, generous for a loaded 2-core machine.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> is true; fails with "<paramref name="what"/>" after <paramref name="timeout"/> (default <see cref="DefaultTimeout"/>).</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
        => TrueAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>Waits until <paramref name="condition"/> is true; fails with "<paramref name="what"/>" after <paramref name="timeout"/> (default <see cref="DefaultTimeout"/>).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > limit) Assert.Fail($"Not within {limit.TotalSeconds:0.#} s: {what}.");
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>
    /// Reads <paramref name="probe"/> until <paramref name="accept"/> takes its value and returns that value; fails with
    /// "<paramref name="what"/>" and the last value read after <paramref name="timeout"/> (default <see cref="DefaultTimeout"/>).
    /// </summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var value = await probe();
            if (accept(value)) return value;
            if (watch.Elapsed > limit) Assert.Fail($"Not within {limit.TotalSeconds:0.#} s: {what}. Last seen: {value}");
            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Whether process <paramref name="pid"/> runs (exists and is not a zombie); Linux only, from /proc.</summary>
    public static bool ProcessAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
