using System.Diagnostics;
using System.Globalization;

namespace Padlock.Bench.Core;

/// <summary>
/// One OS process of the cross-process file-lock case: <c>Padlock.Bench --file-worker DIR NAME SECONDS</c> acquires and
/// releases the lock in a loop, counting a shared counter file up by one under the lock, and prints its own count.
/// </summary>
internal static class FileProcessWorker
{
    internal const string Flag = "--file-worker";

    internal static async Task<int> RunAsync(string dir, string name, double seconds)
    {
        await using var provider = LockProvider.Create("file://" + dir);
        var l = provider.CreateLock(name);
        var counterPath = Path.Combine(dir, "counter.txt");
        var stop = Stopwatch.StartNew();
        long mine = 0;
        while (stop.Elapsed.TotalSeconds < seconds)
        {
            await using var h = await l.AcquireAsync();
            // The chapter's read-increment-write, on a file every process shares: exact only if the lock excludes.
            var text = File.Exists(counterPath) ? File.ReadAllText(counterPath) : "0";
            File.WriteAllText(counterPath, (long.Parse(text, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture));
            mine++;
        }
        Console.WriteLine(mine.ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
