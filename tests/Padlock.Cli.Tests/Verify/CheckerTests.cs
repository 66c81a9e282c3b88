using System.Diagnostics;
using Padlock.Cli.Verify;

namespace Padlock.Cli.Tests.Verify;

/// <summary>
/// The checker's rules per primitive, on logs written by hand: a real store cannot be made to break a reader-writer
/// lock or over-admit a semaphore on demand (the real-server rows are in VerifyTests), so these pin what the checker
/// counts as a violation and what it lets through.
/// </summary>
public sealed class CheckerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("padlock-checker-").FullName;

    [Fact]
    public void Reads_may_overlap_each_other_but_a_write_overlaps_nothing()
    {
        var rows = Check(new VerifyResult { Store = "x", Fault = "none", Primitive = "rw" },
            Log(0, (0, 100, 1, 's'), (300, 400, 5, 'x')),
            Log(1, (50, 150, 2, 's'), (350, 450, 6, 's')));

        Assert.Equal(1, rows.Overlaps); // client 1's read inside client 0's write; the two first reads shared
        Assert.Equal("unsafe", rows.Outcome);
    }

    [Fact]
    public void A_semaphore_counts_the_grants_beyond_its_permits()
    {
        var rows = Check(new VerifyResult { Store = "x", Fault = "none", Primitive = "semaphore(2)", Permits = 2 },
            Log(0, (0, 100, 1, 's')),
            Log(1, (10, 100, 2, 's')),
            Log(2, (20, 100, 3, 's'), (200, 300, 4, 's')));

        Assert.Equal(1, rows.Overlaps); // the third holder at 20; the fourth grant at 200 found every permit free
        Assert.Contains("1 grant beyond 2 permits", rows.Verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void A_semaphore_within_its_permits_is_safe()
    {
        var rows = Check(new VerifyResult { Store = "x", Fault = "none", Primitive = "semaphore(2)", Permits = 2 },
            Log(0, (0, 100, 1, 's'), (100, 200, 3, 's')),
            Log(1, (10, 150, 2, 's')));

        Assert.Equal(0, rows.Overlaps);
        Assert.Equal("safe", rows.Outcome);
    }

    [Fact]
    public void Two_callers_of_one_process_holding_the_lock_at_once_is_an_overlap()
    {
        var rows = Check(new VerifyResult { Store = "x", Fault = "none" },
            Log(0, (0, 100, 1, 'x'), (50, 150, 2, 'x')),
            Log(1, (200, 300, 3, 'x')));

        Assert.Equal(1, rows.Overlaps);
    }

    private VerifyResult Check(VerifyResult row, params Checker.ClientRun[] clients)
        => Checker.Check(row, clients, new RegisterState(0, 0, 0, 0, 0, -1), [], 0, Ms(10_000));

    /// <summary>A client's log: each hold as (granted ms, released ms, token, x|s), asked 1 ms before its grant.</summary>
    private Checker.ClientRun Log(int client, params (int From, int To, long Token, char Mode)[] holds)
    {
        var path = Path.Combine(_dir, $"client-{client}.log");
        var seq = 0;
        File.WriteAllLines(path, holds.SelectMany(h =>
        {
            seq++;
            return new[] { $"G {seq} {Ms(h.From)} {h.Token} {Ms(h.From) - 1} {h.Mode}", $"E {seq} {Ms(h.To)}" };
        }));
        return new Checker.ClientRun(client, path, null);
    }

    private static long Ms(int ms) => ms * Stopwatch.Frequency / 1000 + 1;

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
