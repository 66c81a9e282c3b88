namespace Padlock.Cli.Verify;

/// <summary>One grant as a client logged it, on the shared monotonic clock (Stopwatch ticks).</summary>
internal sealed class Grant
{
    public required int Client { get; init; }
    public required int Seq { get; init; }
    public required long Token { get; init; }
    public required long Asked { get; init; }
    public required long Granted { get; init; }

    /// <summary>An exclusive hold (the lock, a write, a leadership); false for a semaphore permit or a read.</summary>
    public bool Exclusive { get; init; } = true;

    /// <summary>When the client began releasing; or when it died or the run ended, if it never did.</summary>
    public long End { get; set; }

    public bool Released { get; set; }
    public long? Lost { get; set; }
    public long? Wrote { get; set; }
    public string? WriteOutcome { get; set; }
}
