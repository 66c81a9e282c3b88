using Padlock.Cli.Common;

namespace Padlock.Cli.Demo;

/// <summary>One worker process of <see cref="ProcessRace"/>: says "ready", waits for the go file, increments the counter file.</summary>
internal static class DemoWorker
{
    public static async Task<int> RunAsync(string? storeUri, string counterPath, string goPath, int increments, CancellationToken ct)
    {
        await using var provider = storeUri is null ? null : StoreOpener.Open(storeUri);
        var theLock = provider?.CreateLock("padlock-demo-counter");
        using var counter = new CounterFile(counterPath);
        Console.WriteLine("ready");
        Console.Out.Flush();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!File.Exists(goPath))
        {
            if (DateTime.UtcNow > deadline) return ExitCodes.Failed;
            await Task.Delay(2, ct);
        }
        for (var i = 0; i < increments; i++)
        {
            ILockHandle? handle;
            try
            {
                handle = theLock is null ? null : await theLock.AcquireAsync(TimeSpan.FromSeconds(60), ct);
            }
            catch (Padlock.Stores.LockStoreUnavailableException ex)
            {
                throw new StoreUnreachableException(storeUri!, ex);
            }
            try
            {
                var value = counter.Read();
                Thread.Yield(); // the gap between read and write where another process can slip in
                counter.Write(value + 1);
            }
            finally
            {
                if (handle is not null) await handle.DisposeAsync();
            }
        }
        return ExitCodes.Ok;
    }
}
