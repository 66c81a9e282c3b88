// Usage: Padlock.LockHolder STORE-URI LOCK-NAME [TIMEOUT [read|write|elect]]
// With read or write, holds the reader-writer lock LOCK-NAME in that mode instead of the lock; with elect, campaigns in
// the election LOCK-NAME with the value "holder-<pid>" and leads it (the token printed is the term).
// STORE-URI may be several URIs joined by '|': a sharded provider over them (LockProvider.CreateSharded); or
// shards@DIRECTORY-URI: a provider following the shard map in that directory (see Providers).
// Acquires the lock, prints "acquired <fencing token>", then holds it until a line "release" or the end of standard
// input, prints "released" and exits 0. Prints "lost" if the store reports the hold lost, "busy" if not granted in time.
// Padlock.LockHolder --loop ...: contends in a loop instead (see LoopMode).
// Padlock.LockHolder --shard-stress / --shard-client ...: clients of a directory-mapped sharded provider (see those modes).
// Padlock.LockHolder --semaphore-stress ...: semaphore permits from several workers (see SemaphoreStressMode).
using Padlock;

if (args.Length > 0 && args[0] == "--loop") return await LoopMode.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "--shard-stress") return await ShardStressMode.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "--shard-client") return await ShardClientMode.RunAsync(args[1..]);
if (args.Length > 0 && args[0] == "--semaphore-stress") return await SemaphoreStressMode.RunAsync(args[1..]);

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Padlock.LockHolder STORE-URI LOCK-NAME [TIMEOUT]");
    return 2;
}
await using var provider = Providers.Open(args[0]);
var timeout = args.Length > 2 ? Durations.Parse(args[2], "TIMEOUT") : TimeSpan.FromSeconds(30);
await using var handle = args.Length > 3
    ? args[3] switch
    {
        "read" => await provider.CreateReaderWriterLock(args[1]).TryAcquireReadAsync(timeout),
        "elect" => await provider.CreateElection(args[1]).TryCampaignAsync($"holder-{Environment.ProcessId}", timeout),
        _ => await provider.CreateReaderWriterLock(args[1]).TryAcquireWriteAsync(timeout),
    }
    : await provider.CreateLock(args[1]).TryAcquireAsync(timeout);
if (handle is null)
{
    Console.WriteLine("busy");
    return 1;
}
handle.LostToken.Register(() => Console.WriteLine("lost"));
Console.WriteLine($"acquired {handle.FencingToken}");
while (await Console.In.ReadLineAsync() is { } line && line.Trim() != "release")
{
}
await handle.DisposeAsync();
Console.WriteLine("released");
return 0;
