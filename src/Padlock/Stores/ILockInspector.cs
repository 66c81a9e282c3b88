namespace Padlock.Stores;

/// <summary>
/// Optional on a store: tells who holds a lock and who waits, for <c>padlock status</c> and dashboards.
/// Reading is advisory: the answer may be stale by the time it is shown.
/// </summary>
public interface ILockInspector
{
    /// <summary>Reads the current state of <paramref name="name"/> without taking or changing anything.</summary>
    ValueTask<LockStatus> InspectAsync(string name, CancellationToken cancellationToken = default);
}

/// <summary>What a store can tell about one lock; fields it cannot tell are null.</summary>
/// <param name="Name">The lock name.</param>
/// <param name="IsHeld">Whether someone holds it now.</param>
/// <param name="FencingToken">The holder's fencing token.</param>
/// <param name="Owner">The holder's description (<see cref="StoreContext.OwnerDescription"/>, host/process by default).</param>
/// <param name="Since">When the current hold began.</param>
/// <param name="LeaseRemaining">Time left before the store frees the lock unless renewed.</param>
/// <param name="Waiters">Descriptions of the waiters in line, first first.</param>
public sealed record LockStatus(
    string Name,
    bool IsHeld,
    long? FencingToken = null,
    string? Owner = null,
    DateTimeOffset? Since = null,
    TimeSpan? LeaseRemaining = null,
    IReadOnlyList<string>? Waiters = null);
