using Xunit;

namespace Padlock.Testing.Contract;

/// <summary>
/// Lock cohorting between OS processes (stores that pass a held lock among their own callers for a bounded turn:
/// redis://, postgres://): two processes with four callers each, every hold a span printed from inside it.
/// </summary>
public static class ProcessTurns
{
    /// <summary>
    /// Checks that no two holds overlap, that tokens rise in the order the holds began across both processes, that the
    /// processes took turns, and that hand-offs inside a process happened (not every grant alternated).
    /// </summary>
    public static async Task CheckAsync(string uri, string name)
    {
        var runs = await Task.WhenAll(
            SemaphoreStress.StartLockAsync(uri, name, workers: 4, rounds: 60, hold: "1ms"),
            SemaphoreStress.StartLockAsync(uri, name, workers: 4, rounds: 60, hold: "1ms"));
        var spans = runs.SelectMany((r, p) => r.Select(s => (s.Start, s.End, s.Token, Process: p))).OrderBy(s => s.Start).ToList();
        Assert.Equal(480, spans.Count);
        Assert.Equal(1, SemaphoreStress.MostAtOnce(spans.Select(s => (s.Start, s.End, s.Token))));
        for (var i = 1; i < spans.Count; i++)
            Assert.True(spans[i].Token > spans[i - 1].Token, $"Hold {i} (token {spans[i].Token}) began after a hold with token {spans[i - 1].Token}.");
        var switches = spans.Zip(spans.Skip(1)).Count(p => p.First.Process != p.Second.Process);
        Assert.True(switches >= 4, $"Only {switches} switches between the two processes.");
        Assert.True(switches < spans.Count - 1, "Every grant alternated: no local hand-off happened.");
    }
}
