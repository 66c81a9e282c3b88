using System.Diagnostics;
using System.Globalization;

namespace Padlock.Cli.Verify;

/// <summary>
/// Reads the clients' logs and the register after a run and checks: overlapping holds, lost updates, stale operations,
/// tokens that repeat or go backwards in real-time order, whether losses were reported before an overlap, and how
/// long each fault kept the lock from the others.
/// </summary>
internal static class Checker
{
    public sealed record ClientRun(int Client, string LogPath, long? DiedAt);

    public static VerifyResult Check(VerifyResult row, IReadOnlyList<ClientRun> clients, RegisterState register, IReadOnlyList<FaultEvent> faults, long start, long end)
    {
        double Ms(long ticks) => (ticks - start) * 1000.0 / Stopwatch.Frequency;
        var grants = new List<Grant>();
        long failures = 0;
        string? firstFailure = null;
        foreach (var c in clients)
        {
            var mine = new Dictionary<int, Grant>();
            foreach (var line in ReadLines(c.LogPath))
            {
                var f = line.Split(' ', 6);
                long L(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
                switch (f[0])
                {
                    case "G":
                        var g = new Grant { Client = c.Client, Seq = (int)L(1), Granted = L(2), Token = L(3), Asked = L(4), End = c.DiedAt ?? end, Exclusive = f.Length < 6 || f[5] != "s" };
                        mine[g.Seq] = g;
                        grants.Add(g);
                        break;
                    case "L" when mine.TryGetValue((int)L(1), out var lost):
                        lost.Lost ??= L(2);
                        break;
                    case "W" when mine.TryGetValue((int)L(1), out var wrote):
                        wrote.Wrote = L(2);
                        wrote.WriteOutcome = f[3];
                        break;
                    case "E" when mine.TryGetValue((int)L(1), out var ended):
                        ended.End = L(2);
                        ended.Released = true;
                        break;
                    case "F":
                        failures++;
                        firstFailure ??= string.Join(' ', f.Skip(2));
                        break;
                }
            }
        }
        grants.Sort((a, b) => a.Granted.CompareTo(b.Granted));

        var overlaps = new List<Overlap>();
        long overlapCount = 0, notifiedFirst = 0;
        void Violation(Grant a, Grant b)
        {
            overlapCount++;
            var told = a.Lost is { } lost && lost <= b.Granted;
            if (told) notifiedFirst++;
            if (overlaps.Count < 50) overlaps.Add(new Overlap(a.Client, a.Token, b.Client, b.Token, Ms(b.Granted), Ms(Math.Min(a.End, b.End)), told));
        }
        if (row.Permits is { } permits)
        {
            // A semaphore: every grant that found all permits already held is one too many. It is blamed on the open
            // hold whose loss was reported first, if any was ("loss reported first" asks whether one was).
            var open = new List<Grant>();
            foreach (var b in grants)
            {
                open.RemoveAll(a => a.End <= b.Granted);
                if (open.Count >= permits) Violation(open.MinBy(a => a.Lost ?? long.MaxValue)!, b);
                open.Add(b);
            }
        }
        else
        {
            // Holds of one client count too: its callers share one provider, and two of them holding at once is as
            // wrong as two processes. Two shared holds (reads) may overlap; an exclusive one overlaps nothing.
            for (var i = 0; i < grants.Count; i++)
            {
                var a = grants[i];
                for (var j = i + 1; j < grants.Count && grants[j].Granted < a.End; j++)
                {
                    var b = grants[j];
                    if (a.Exclusive || b.Exclusive) Violation(a, b);
                }
            }
        }

        // Real-time order: a grant completed before another acquire began must carry a smaller token.
        long repeated = 0, backwards = 0;
        var byAsked = grants.OrderBy(g => g.Asked).ToList();
        var k = 0;
        long maxBefore = long.MinValue;
        foreach (var b in byAsked)
        {
            while (k < grants.Count && grants[k].Granted < b.Asked) maxBefore = Math.Max(maxBefore, grants[k++].Token);
            if (maxBefore == long.MinValue) continue;
            if (b.Token == maxBefore) repeated++;
            else if (b.Token < maxBefore) backwards++;
        }

        foreach (var fault in faults)
        {
            var at = start + (long)(fault.AtMs * Stopwatch.Frequency / 1000);
            var hit = fault.Target.StartsWith("client ", StringComparison.Ordinal) ? int.Parse(fault.Target[7..], CultureInfo.InvariantCulture) : -1;
            var next = grants.FirstOrDefault(g => g.Granted > at && g.Client != hit);
            fault.RecoverMs = next is null ? null : Ms(next.Granted) - fault.AtMs;
            // The hold the fault hit: the target's own (client faults), or every hold open at that moment (server faults).
            var held = grants.FirstOrDefault(g => g.Granted <= at && g.End >= at && (hit < 0 || g.Client == hit));
            if (held is not null)
            {
                fault.HitToken = held.Token;
                fault.LossNotifiedAfterMs = held.Lost is { } l ? Math.Max(0, Ms(l) - fault.AtMs) : null;
            }
        }

        // The longest stretch with nobody holding while the clients contend: a stall (the etcd failover defect left the
        // lock free and every client waiting for over 10 s) shows here even when each fault's next grant came fast.
        double longestIdle = 0;
        var heldUntil = start;
        foreach (var g in grants.OrderBy(g => g.Granted))
        {
            if (g.Granted > heldUntil) longestIdle = Math.Max(longestIdle, (g.Granted - heldUntil) * 1000.0 / Stopwatch.Frequency);
            heldUntil = Math.Max(heldUntil, g.End);
        }

        var lostUpdates = register.WritesAccepted - register.Value;
        var writesAfterLoss = grants.Count(g => g.Lost is { } l && g.Wrote is { } w && l <= w && g.WriteOutcome != "rejected");
        var timeline = grants.GroupBy(g => g.Client).OrderBy(g => g.Key)
            .Select(g => new ClientTimeline(g.Key, g.Take(1500).Select(x => new[] { Ms(x.Granted), Ms(x.End), x.Token, x.Lost is null ? 0 : 1 }).ToList()))
            .ToList();
        var result = row with
        {
            Seconds = (end - start) / (double)Stopwatch.Frequency,
            Grants = grants.Count,
            AcquireFailures = failures,
            FirstAcquireFailure = firstFailure,
            Overlaps = overlapCount,
            OverlapsLossNotifiedFirst = notifiedFirst,
            WritesAccepted = register.WritesAccepted,
            RegisterValue = register.Value,
            LostUpdates = lostUpdates,
            StaleStopped = register.StaleRejected,
            StaleWritesAccepted = register.StaleWritesAccepted,
            WritesAfterLossReported = writesAfterLoss,
            TokensRepeated = repeated,
            TokensBackwards = backwards,
            RecoverMaxMs = faults.Any(f => f.RecoverMs is not null) ? faults.Max(f => f.RecoverMs ?? 0) : null,
            LongestIdleMs = longestIdle,
            Faults = faults,
            OverlapSamples = overlaps,
            Timeline = timeline,
        };
        return Judge(result);
    }

    /// <summary>The plain verdict: the harm (lost updates, stale writes taken, tokens out of order) decides "unsafe".</summary>
    public static VerifyResult Judge(VerifyResult r)
    {
        if (r.NotRun is not null) return r with { Outcome = "not run", Verdict = "not run: " + r.NotRun };
        var harms = new List<string>();
        if (r.Overlaps > 0) harms.Add((r.Permits is { } p ? Count(r.Overlaps, "grant") + $" beyond {p} permits" : Count(r.Overlaps, "overlap")) + (r.OverlapsLossNotifiedFirst == r.Overlaps ? " (loss reported first)" : r.OverlapsLossNotifiedFirst > 0 ? $" ({r.OverlapsLossNotifiedFirst} with the loss reported first)" : " (loss not reported first)"));
        if (r.LostUpdates > 0) harms.Add(Count(r.LostUpdates, "lost update"));
        if (r.StaleWritesAccepted > 0) harms.Add(Count(r.StaleWritesAccepted, "stale write") + " accepted");
        if (r.TokensRepeated > 0) harms.Add(Count(r.TokensRepeated, "token") + " repeated");
        if (r.TokensBackwards > 0) harms.Add(Count(r.TokensBackwards, "token") + " backwards");
        var fence = r.StaleStopped > 0 ? $"; fencing stopped {Count(r.StaleStopped, "stale operation")}" : "";
        var n = r.Grants.ToString("N0", CultureInfo.InvariantCulture);
        if (harms.Count == 0)
            return r with { Outcome = "safe", Verdict = r.Grants == 0 ? "no grants: nothing checked" + fence : $"no violation in {n} grants{fence}" };
        var harmed = r.LostUpdates > 0 || r.StaleWritesAccepted > 0 || r.TokensRepeated > 0 || r.TokensBackwards > 0;
        if (!harmed)
            return r with { Outcome = r.Fenced ? "safe with fencing" : "unsafe", Verdict = $"{(r.Fenced ? "exclusion broken, data safe" : "unsafe without fencing")}: {string.Join(", ", harms)} in {n} grants{fence}" };
        return r with { Outcome = "unsafe", Verdict = $"unsafe: {string.Join(", ", harms)} in {n} grants{fence}" };
    }

    private static string Count(long n, string what) => $"{n.ToString("N0", CultureInfo.InvariantCulture)} {what}{(n == 1 ? "" : "s")}";

    private static IEnumerable<string> ReadLines(string path)
    {
        if (!File.Exists(path)) yield break;
        foreach (var line in File.ReadLines(path))
        {
            // A line cut short by a SIGKILL mid-write is dropped.
            if (line.Length > 2 && line[1] == ' ' && !line.EndsWith(' ')) yield return line;
        }
    }
}
