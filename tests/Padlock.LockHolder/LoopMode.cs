using Padlock;

/// <summary>
/// <c>Padlock.LockHolder --loop COUNT HOLD STORE-URI LOCK-NAME</c>: acquires and releases the lock COUNT times, holding
/// it HOLD each time, and prints "granted TOKEN N" after each grant, then "done N" and exits 0. A line "stop" on
/// standard input ends the loop after the current turn. For fault tests where several processes contend while servers
/// fail: a process that stops printing is a process that stopped making progress.
/// </summary>
internal static class LoopMode
{
    // Long enough that a stall shows as a gap between grants in the test, not as a timeout here.
    private static readonly TimeSpan AcquireTimeout = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 4 || !int.TryParse(args[0], out var count) || count < 1)
        {
            Console.Error.WriteLine("usage: Padlock.LockHolder --loop COUNT HOLD STORE-URI LOCK-NAME");
            return 2;
        }
        var hold = Durations.Parse(args[1], "HOLD");
        await using var provider = Providers.Open(args[2]);
        var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            while (await Console.In.ReadLineAsync() is { } line)
            {
                if (line.Trim() == "stop") break;
            }
            await stop.CancelAsync();
        });
        var lck = provider.CreateLock(args[3]);
        var done = 0;
        try
        {
            while (done < count && !stop.IsCancellationRequested)
            {
                await using var handle = await lck.AcquireAsync(AcquireTimeout);
                done++;
                Console.WriteLine($"granted {handle.FencingToken} {done}");
                await Task.Delay(hold);
            }
        }
        catch (Exception ex)
        {
            Console.WriteLine($"error {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            return 3;
        }
        Console.WriteLine($"done {done}");
        return 0;
    }
}
