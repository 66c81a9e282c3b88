namespace Padlock.Cli.Status;

/// <summary>What <c>padlock status</c> prints; fields the store cannot tell are null.</summary>
internal sealed record LockReport(
    string Name,
    string Store,
    string State,
    string Source,
    long? FencingToken = null,
    string? Owner = null,
    DateTimeOffset? Since = null,
    double? LeaseRemainingSeconds = null,
    IReadOnlyList<string>? Waiters = null);
