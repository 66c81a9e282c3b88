namespace Padlock.Cli.Primitives;

/// <summary>
/// What a CLI command takes under a name: the exclusive lock, one permit of a semaphore, a read or write hold of a
/// reader-writer lock, or the leadership of an election. <c>run</c> and <c>bench</c> share it, so every primitive is
/// run and measured the same way.
/// </summary>
internal abstract class Primitive
{
    /// <summary>The exclusive lock (the default).</summary>
    public static readonly Primitive Lock = new LockPrimitive();

    /// <summary>A read (shared) hold of a reader-writer lock.</summary>
    public static readonly Primitive Read = new ReadPrimitive();

    /// <summary>A write (exclusive) hold of a reader-writer lock.</summary>
    public static readonly Primitive Write = new WritePrimitive();

    /// <summary>Weight of an exclusive holder in a count of holders: more than any number of shared holders.</summary>
    private const int Exclusive = 1_000_000;

    /// <summary>One permit of a semaphore of <paramref name="permits"/>.</summary>
    public static Primitive Semaphore(int permits) => new SemaphorePrimitive(permits);

    /// <summary>The leadership of an election, campaigning with <paramref name="value"/>.</summary>
    public static Primitive Election(string value) => new ElectionPrimitive(value);

    /// <summary>How the primitive is named in messages: "lock", "semaphore (3 permits)", "read lock", "election".</summary>
    public abstract string Kind { get; }

    /// <summary>Whether a holder excludes every other holder of the name (a counter may be updated under it).</summary>
    public abstract bool IsExclusive { get; }

    /// <summary>What one holder adds to the count of holders of a name: an exclusive one outweighs any number of shared ones.</summary>
    public int Weight => IsExclusive ? Exclusive : 1;

    /// <summary>The largest count of holders of a name, this holder included, that the primitive allows.</summary>
    public abstract int Limit { get; }

    /// <summary>Tries to take the primitive, waiting up to <paramref name="wait"/>.</summary>
    public abstract ValueTask<ILockHandle?> TryAcquireAsync(ILockProvider provider, string name, TimeSpan wait, CancellationToken ct);

    /// <summary>The primitive one acquisition of a workload takes (a reader-writer mix picks per acquisition).</summary>
    public virtual Primitive Pick(Random random) => this;

    private sealed class LockPrimitive : Primitive
    {
        public override string Kind => "lock";
        public override bool IsExclusive => true;
        public override int Limit => Exclusive;
        public override ValueTask<ILockHandle?> TryAcquireAsync(ILockProvider provider, string name, TimeSpan wait, CancellationToken ct)
            => provider.CreateLock(name).TryAcquireAsync(wait, ct);
    }

    private sealed class ReadPrimitive : Primitive
    {
        public override string Kind => "read lock";
        public override bool IsExclusive => false;
        public override int Limit => Exclusive - 1; // any number of readers, but no writer beside them
        public override ValueTask<ILockHandle?> TryAcquireAsync(ILockProvider provider, string name, TimeSpan wait, CancellationToken ct)
            => provider.CreateReaderWriterLock(name).TryAcquireReadAsync(wait, ct);
    }

    private sealed class WritePrimitive : Primitive
    {
        public override string Kind => "write lock";
        public override bool IsExclusive => true;
        public override int Limit => Exclusive;
        public override ValueTask<ILockHandle?> TryAcquireAsync(ILockProvider provider, string name, TimeSpan wait, CancellationToken ct)
            => provider.CreateReaderWriterLock(name).TryAcquireWriteAsync(wait, ct);
    }

    private sealed class SemaphorePrimitive(int permits) : Primitive
    {
        public override string Kind => permits == 1 ? "semaphore (1 permit)" : $"semaphore ({permits} permits)";
        public override bool IsExclusive => permits == 1;
        public override int Limit => permits == 1 ? Exclusive : permits;
        public override ValueTask<ILockHandle?> TryAcquireAsync(ILockProvider provider, string name, TimeSpan wait, CancellationToken ct)
            => provider.CreateSemaphore(name, permits).TryAcquireAsync(wait, ct);
    }

    private sealed class ElectionPrimitive(string value) : Primitive
    {
        public override string Kind => "election";
        public override bool IsExclusive => true;
        public override int Limit => Exclusive;
        public override async ValueTask<ILockHandle?> TryAcquireAsync(ILockProvider provider, string name, TimeSpan wait, CancellationToken ct)
            => await provider.CreateElection(name).TryCampaignAsync(value, wait, ct);
    }
}
