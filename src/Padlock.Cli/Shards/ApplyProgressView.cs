using Padlock.Sharding;

namespace Padlock.Cli.Shards;

/// <summary>
/// Turns the change's progress into lines: one per step, and one each time the set of clients waited for changes (the
/// core re-reports the same wait every poll, which a log should not repeat). On a terminal the waiting line also drives
/// the live status line. Reports arrive on the change's own flow, one at a time.
/// </summary>
internal sealed class ApplyProgressView(Action<string> line, Action<string>? status) : IProgress<ShardChangeProgress>
{
    private string? _last;

    public void Report(ShardChangeProgress value)
    {
        var text = Describe(value);
        status?.Invoke(text);
        if (text == _last) return;
        _last = text;
        line(text);
    }

    public static string Describe(ShardChangeProgress p)
    {
        var head = $"epoch {p.Epoch}: {p.Step}";
        if (p.Waiting.Count == 0) return head;
        var clients = string.Join(", ", p.Waiting.OrderBy(c => c.ClientId, StringComparer.Ordinal)
            .Select(c => $"{(c.Owner.Length > 0 ? c.Owner : "(no owner)")} [{c.ClientId}] at epoch {c.Epoch}"));
        return $"{head}: {p.Waiting.Count} client{(p.Waiting.Count == 1 ? "" : "s")} behind: {clients}";
    }
}
