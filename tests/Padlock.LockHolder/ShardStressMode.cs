using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using Padlock;
using Padlock.Sharding;

/// <summary>
/// <c>Padlock.LockHolder --shard-stress DIRECTORY-URI BOARD NAMES WORKERS</c>: WORKERS tasks take random names of NAMES
/// ("n-0".."n-(NAMES-1)") from a provider that follows the shard map in DIRECTORY-URI, until a line "stop". BOARD is a
/// file of NAMES 32-byte slots shared (memory-mapped) by every process of a test: per name an in-critical-section flag,
/// a counter read on entry and written on exit, 1 ms later, under the lock, and the last fencing token. Prints "progress GRANTS" each
/// second and at the end "done GRANTS OVERLAPS BACKWARDS ERRORS EPOCH", then the error kinds seen. An overlap is a flag
/// found set on entry; a backward token is one not above the name's last.
/// </summary>
internal static class ShardStressMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 4 || !int.TryParse(args[2], out var names) || !int.TryParse(args[3], out var workers))
        {
            Console.Error.WriteLine("usage: Padlock.LockHolder --shard-stress DIRECTORY-URI BOARD NAMES WORKERS");
            return 2;
        }
        await using var provider = LockProvider.CreateSharded(args[0]);
        using var file = MemoryMappedFile.CreateFromFile(args[1], FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
        using var view = file.CreateViewAccessor(0, names * 32L, MemoryMappedFileAccess.ReadWrite);
        var address = Map(view);
        var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            while (await Console.In.ReadLineAsync() is { } line && line.Trim() != "stop")
            {
            }
            await stop.CancelAsync();
        });
        long grants = 0, overlaps = 0, backwards = 0, errors = 0;
        var kinds = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(Environment.ProcessId * 100 + w);
            while (!stop.IsCancellationRequested)
            {
                var i = random.Next(names);
                try
                {
                    await using var handle = await provider.CreateLock($"n-{i}").AcquireAsync(TimeSpan.FromSeconds(60), stop.Token);
                    if (!Enter(address, i, handle.FencingToken, ref overlaps, ref backwards, out var value)) continue;
                    // Flag up for the whole hold (1 ms), so a holder paused by the test is caught inside it.
                    var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 1000;
                    while (Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);
                    Exit(address, i, value);
                    Interlocked.Increment(ref grants);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref errors);
                    kinds.AddOrUpdate(ex.GetType().Name + ": " + ex.Message.ReplaceLineEndings(" ")[..Math.Min(160, ex.Message.Length)], 1, (_, n) => n + 1);
                    await Task.Delay(100);
                }
            }
        })).ToArray();
        while (!Task.WaitAll(tasks, 1000)) Console.WriteLine($"progress {Interlocked.Read(ref grants)}");
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        var epoch = ((DirectoryShardedLockStore)provider.Store).CurrentMap?.Epoch ?? 0;
        Console.WriteLine($"done {grants} {overlaps} {backwards} {errors} {epoch}");
        foreach (var (kind, count) in kinds) Console.WriteLine($"error-kind {count} {kind}");
        return 0;
    }

    private static unsafe nint Map(MemoryMappedViewAccessor view)
    {
        byte* board = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref board);
        return (nint)board;
    }

    // Inside the lock: flag up (an overlap if already up), token above the last, counter read. Returns whether this
    // holder had the name alone.
    private static unsafe bool Enter(nint board, int index, long token, ref long overlaps, ref long backwards, out long value)
    {
        var slot = (byte*)board + index * 32L;
        value = 0;
        if (Interlocked.CompareExchange(ref *(int*)slot, 1, 0) != 0)
        {
            Interlocked.Increment(ref overlaps);
            return false;
        }
        ref var last = ref *(long*)(slot + 16);
        if (token <= Volatile.Read(ref last)) Interlocked.Increment(ref backwards);
        Volatile.Write(ref last, Math.Max(token, Volatile.Read(ref last)));
        value = Volatile.Read(ref *(long*)(slot + 8));
        return true;
    }

    // Still inside the lock: the counter written from the value read on entry (a second holder would lose an update),
    // flag down.
    private static unsafe void Exit(nint board, int index, long value)
    {
        var slot = (byte*)board + index * 32L;
        Volatile.Write(ref *(long*)(slot + 8), value + 1);
        Volatile.Write(ref *(int*)slot, 0);
    }
}
