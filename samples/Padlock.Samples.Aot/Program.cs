using Padlock;

// Takes a lock, a semaphore permit and (where the store has them) a leadership on the store named by the first
// argument, and prints what it got: the stores are found from the URI alone, as in any app, with no registration code.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Padlock.Samples.Aot STORE-URI");
    return 2;
}
await using var provider = LockProvider.Create(args[0]);
var name = "aot-" + Guid.NewGuid().ToString("N")[..8];
await using (var held = await provider.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(20)))
{
    Console.WriteLine($"lock {held.FencingToken}");
}
await using (var permit = await provider.CreateSemaphore(name, 2).AcquireAsync(TimeSpan.FromSeconds(20)))
{
    Console.WriteLine($"semaphore {permit.FencingToken}");
}
return 0;
