namespace Padlock.Bench.Processes;

/// <summary>
/// What one worker process prints as its last line (JSON): grants in the measured window per caller and their waits;
/// the grants of its warm-up, and every grant from the start (the window's and those still completing after its end:
/// the server's cost divides by these); failed overlap checks; errors; the longest hold in the window (grant to
/// release, in ms: a wait can be no shorter than the holds it spans, so a stalled holder shows here, not in the lock).
/// </summary>
internal sealed record WorkerResult(int Pid, long[] Grants, WaitHistogram Waits, long WarmupGrants, long AllGrants, long Overlaps, long Errors, string? LastError, bool Abandoned, double LongestHoldMs)
{
    /// <summary>Jain's fairness index (Σx)² / (n·Σx²): 1 when every share is equal, 1/n when one takes all.</summary>
    public static double Jain(IEnumerable<long> shares)
    {
        var x = shares.Select(s => (double)s).ToArray();
        var squares = x.Sum(v => v * v);
        return x.Length == 0 || squares == 0 ? double.NaN : x.Sum() * x.Sum() / (x.Length * squares);
    }
}
