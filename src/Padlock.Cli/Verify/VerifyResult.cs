namespace Padlock.Cli.Verify;

/// <summary>One row of <c>padlock verify</c>: a store under one fault. Times are milliseconds since the clients started.</summary>
internal sealed record VerifyResult
{
    public required string Store { get; init; }
    public required string Fault { get; init; }
    public bool Fenced { get; init; }
    public int Clients { get; init; }

    /// <summary>What the clients contended for: "lock", "semaphore(N)", "rw" or "election".</summary>
    public string Primitive { get; init; } = VerifyPrimitive.Lock;

    /// <summary>The semaphore's permits (null for the other primitives, which allow one exclusive holder).</summary>
    public int? Permits { get; init; }
    public double Seconds { get; init; }

    /// <summary>Why the row did not run (an unsupported combination, an unreachable store); the other fields are empty.</summary>
    public string? NotRun { get; init; }

    public long Grants { get; init; }
    public long AcquireFailures { get; init; }
    public string? FirstAcquireFailure { get; init; }

    /// <summary>
    /// Exclusion broken: pairs of holds (grant to release) that overlapped where one of them was exclusive (the lock, a
    /// write, a leadership); for a semaphore, grants that made more holders than permits.
    /// </summary>
    public long Overlaps { get; init; }

    /// <summary>Overlaps where the earlier holder's LostToken had fired before the later grant.</summary>
    public long OverlapsLossNotifiedFirst { get; init; }

    public long WritesAccepted { get; init; }
    public long RegisterValue { get; init; }

    /// <summary>Writes accepted minus the register's final value: increments that overwrote each other.</summary>
    public long LostUpdates { get; init; }

    /// <summary>Reads and writes with a token below the highest the register had seen, refused (--fenced).</summary>
    public long StaleStopped { get; init; }

    /// <summary>Writes with a token below the highest seen that the register took (without --fenced).</summary>
    public long StaleWritesAccepted { get; init; }

    /// <summary>Writes the register took from a holder whose LostToken had already fired (the client is naive on purpose).</summary>
    public long WritesAfterLossReported { get; init; }

    /// <summary>Grants whose token equals one granted earlier (in real time: granted before this acquire began).</summary>
    public long TokensRepeated { get; init; }

    /// <summary>Grants whose token is below one granted earlier.</summary>
    public long TokensBackwards { get; init; }

    /// <summary>Longest time from a fault to the next grant to a client the fault did not freeze or kill, ms.</summary>
    public double? RecoverMaxMs { get; init; }

    /// <summary>The longest time the lock stayed free between holds while the clients contended (a stall), in ms.</summary>
    public double LongestIdleMs { get; init; }

    public IReadOnlyList<FaultEvent> Faults { get; init; } = [];
    public IReadOnlyList<Overlap> OverlapSamples { get; init; } = [];

    /// <summary>Each client's holds: [grant ms, end ms, token, lost (1/0)], capped for the report.</summary>
    public IReadOnlyList<ClientTimeline> Timeline { get; init; } = [];

    public string Verdict { get; init; } = "";

    /// <summary>The store, with the primitive when it is not the lock: what a table row or verdict line names.</summary>
    public string Subject => Primitive == VerifyPrimitive.Lock ? Store : $"{Store} {Primitive}";

    /// <summary>"safe", "safe with fencing", "unsafe" or "not run".</summary>
    public string Outcome { get; init; } = "";
}

/// <summary>One injected fault: what, whom (a client index, or "server"), when, and what followed.</summary>
internal sealed record FaultEvent(string Kind, string Target, double AtMs, double EndMs)
{
    /// <summary>From the fault to the next grant to another client (or any client, for server faults), ms.</summary>
    public double? RecoverMs { get; set; }

    /// <summary>Token of the hold the fault hit, if the target held the lock.</summary>
    public long? HitToken { get; set; }

    /// <summary>From the fault to the hit holder's LostToken firing, ms; null when it never fired.</summary>
    public double? LossNotifiedAfterMs { get; set; }
}

/// <summary>Two holders at once.</summary>
internal sealed record Overlap(int EarlierClient, long EarlierToken, int LaterClient, long LaterToken, double FromMs, double ToMs, bool LossNotifiedFirst);

/// <summary>A client's holds for the report's timeline.</summary>
internal sealed record ClientTimeline(int Client, IReadOnlyList<double[]> Holds);
