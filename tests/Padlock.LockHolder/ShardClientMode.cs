using Padlock;
using Padlock.Sharding;

/// <summary>
/// <c>Padlock.LockHolder --shard-client DIRECTORY-URI</c>: a client of the shard map in DIRECTORY-URI driven line by
/// line: "acquire NAME" tries the lock once (prints "acquired TOKEN", "busy" or "error TYPE: MESSAGE"), "release" frees
/// the held one ("released"), "epoch" prints the map epoch it runs ("epoch N"). For tests that pause the process.
/// </summary>
internal static class ShardClientMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: Padlock.LockHolder --shard-client DIRECTORY-URI");
            return 2;
        }
        await using var provider = LockProvider.CreateSharded(args[0]);
        ILockHandle? held = null;
        Console.WriteLine("ready");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Trim().Split(' ', 2);
            try
            {
                switch (parts[0])
                {
                    case "acquire":
                        held = await provider.CreateLock(parts[1]).TryAcquireAsync(TimeSpan.Zero);
                        Console.WriteLine(held is null ? "busy" : $"acquired {held.FencingToken}");
                        break;
                    case "release":
                        if (held is not null) await held.DisposeAsync();
                        held = null;
                        Console.WriteLine("released");
                        break;
                    case "epoch":
                        Console.WriteLine($"epoch {((DirectoryShardedLockStore)provider.Store).CurrentMap?.Epoch ?? 0}");
                        break;
                }
            }
            catch (Exception ex)
            {
                Console.WriteLine($"error {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            }
        }
        return 0;
    }
}
