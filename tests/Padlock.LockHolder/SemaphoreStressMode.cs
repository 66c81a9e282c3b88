using System.Diagnostics;
using System.Globalization;
using Padlock;

/// <summary>
/// <c>Padlock.LockHolder --semaphore-stress MAXCOUNT WORKERS ROUNDS HOLD STORE-URI NAME</c>: WORKERS tasks each take a
/// permit ROUNDS times, holding it HOLD, and print "held START END TOKEN" per permit (Stopwatch timestamps, which on
/// Linux are the system-wide monotonic clock, so another process can compare them), then "done" and exit 0.
/// START is taken after the grant returned and END before the release began, so each printed span lies inside the
/// real hold: spans that overlap more than MAXCOUNT at once prove an over-admission, never a false one.
/// MAXCOUNT <c>lock</c> takes the name's lock instead (at most one holder).
/// </summary>
internal static class SemaphoreStressMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var isLock = args.Length > 0 && args[0] == "lock";
        if (args.Length != 6 || !(isLock || int.TryParse(args[0], out _)) || !int.TryParse(args[1], out var workers) || !int.TryParse(args[2], out var rounds))
        {
            Console.Error.WriteLine("usage: Padlock.LockHolder --semaphore-stress MAXCOUNT|lock WORKERS ROUNDS HOLD STORE-URI NAME");
            return 2;
        }
        var hold = Durations.Parse(args[3], "HOLD");
        // Several URIs joined by '|' are a sharded provider, as in the holder's main mode.
        await using var provider = Providers.Open(args[4]);
        var lines = new List<string>();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
            {
                Func<ValueTask<ILockHandle>> acquire = isLock
                    ? () => provider.CreateLock(args[5]).AcquireAsync(TimeSpan.FromMinutes(2))
                    : () => provider.CreateSemaphore(args[5], int.Parse(args[0], CultureInfo.InvariantCulture)).AcquireAsync(TimeSpan.FromMinutes(2));
                for (var i = 0; i < rounds; i++)
                {
                    var h = await acquire();
                    var start = Stopwatch.GetTimestamp();
                    await Task.Delay(hold);
                    var end = Stopwatch.GetTimestamp();
                    await h.DisposeAsync();
                    lock (lines) lines.Add(string.Create(CultureInfo.InvariantCulture, $"held {start} {end} {h.FencingToken}"));
                }
            })));
        }
        catch (Exception ex)
        {
            Console.WriteLine($"error {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            return 3;
        }
        foreach (var line in lines) Console.WriteLine(line);
        Console.WriteLine("done");
        return 0;
    }
}
