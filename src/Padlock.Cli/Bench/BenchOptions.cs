using Padlock.Cli.Primitives;

namespace Padlock.Cli.Bench;

/// <summary>The workload of one <c>padlock bench</c> run, the same for every store measured.</summary>
/// <param name="Workers">Concurrent workers, each with its own provider (its own connection/session) except on mem://.</param>
/// <param name="Locks">Lock names the workers pick from at random; 1 means every worker contends for one lock.</param>
/// <param name="Hold">Time held after the counter update (0: release at once).</param>
/// <param name="Duration">How long to run; null when <paramref name="Ops"/> is given.</param>
/// <param name="Ops">Total acquisitions across all workers; null when running for a duration.</param>
/// <param name="Counter">Do the chapter's read-increment-write on a counter per lock under the lock, and check it at the end.</param>
/// <param name="AcquireTimeout">How long one acquire may wait before it counts as a failure.</param>
/// <param name="Primitive">What each acquisition takes: the lock, a semaphore permit, a read or write hold, a leadership.</param>
internal sealed record BenchOptions(int Workers, int Locks, TimeSpan Hold, TimeSpan? Duration, long? Ops, bool Counter, TimeSpan AcquireTimeout, Primitive Primitive);
