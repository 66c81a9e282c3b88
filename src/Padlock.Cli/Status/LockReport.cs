namespace Padlock.Cli.Status;

/// <summary>What <c>padlock status</c> prints; fields the store cannot tell are null.</summary>
/// <remarks>
/// For a semaphore, reader-writer lock or election read through the store's inspector, <see cref="Holders"/> and
/// <see cref="Waiting"/> list each entry; <see cref="Waiters"/> (the lock's list of descriptions) stays null there.
/// </remarks>
internal sealed record LockReport(
    string Name,
    string Store,
    string State,
    string Source,
    long? FencingToken = null,
    string? Owner = null,
    DateTimeOffset? Since = null,
    double? LeaseRemainingSeconds = null,
    IReadOnlyList<string>? Waiters = null,
    string? Primitive = null,
    int? Permits = null,
    IReadOnlyList<EntryReport>? Holders = null,
    IReadOnlyList<EntryReport>? Waiting = null);

/// <summary>One holder or waiter of a semaphore, reader-writer lock or election; fields the store cannot tell are null.</summary>
internal sealed record EntryReport(
    string? Owner,
    long? FencingToken = null,
    DateTimeOffset? Since = null,
    double? LeaseRemainingSeconds = null,
    string? Mode = null,
    string? Value = null);
