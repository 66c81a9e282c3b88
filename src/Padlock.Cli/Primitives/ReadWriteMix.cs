namespace Padlock.Cli.Primitives;

/// <summary>A reader-writer workload: each acquisition is a read with probability <c>reads</c>, else a write.</summary>
internal sealed class ReadWriteMix(double reads) : Primitive
{
    /// <summary>The share of acquisitions that read, 0..1.</summary>
    public double Reads { get; } = reads;

    public override string Kind => $"reader-writer lock ({Reads * 100:0.#} % reads)";

    // A mix is never taken itself, only what Pick returns; these describe the workload's strongest member.
    public override bool IsExclusive => false;
    public override int Limit => Write.Limit;

    public override ValueTask<ILockHandle?> TryAcquireAsync(ILockProvider provider, string name, TimeSpan wait, CancellationToken ct)
        => Pick(Random.Shared).TryAcquireAsync(provider, name, wait, ct);

    public override Primitive Pick(Random random) => random.NextDouble() < Reads ? Read : Write;
}
