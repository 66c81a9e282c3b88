namespace Padlock.Bench.RedisProcesses;

/// <summary>
/// What one worker process prints as its last line (JSON): grants in the measured window per caller, the waits of
/// those grants, every grant it completed (warm-up and tail included, for the counter check), failed overlap checks,
/// and errors.
/// </summary>
internal sealed record WorkerResult(int Pid, long[] Grants, WaitHistogram Waits, long AllGrants, long Overlaps, long Errors, string? LastError, bool Abandoned)
{
    /// <summary>Jain's fairness index (Σx)² / (n·Σx²): 1 when every share is equal, 1/n when one takes all.</summary>
    public static double Jain(IEnumerable<long> shares)
    {
        var x = shares.Select(s => (double)s).ToArray();
        var squares = x.Sum(v => v * v);
        return x.Length == 0 || squares == 0 ? double.NaN : x.Sum() * x.Sum() / (x.Length * squares);
    }
}
