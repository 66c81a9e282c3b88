namespace Padlock.Stores;

/// <summary>Clients of one semaphore name disagree on its maxCount: the store refuses rather than over-admit.</summary>
public sealed class SemaphoreCountMismatchException(string name, int requested, int inUse)
    : InvalidOperationException($"Semaphore '{name}' is in use with maxCount {inUse}; this client asked for {requested}. Every client of one semaphore name must use the same maxCount.")
{
    /// <summary>The semaphore name.</summary>
    public string Name { get; } = name;

    /// <summary>The maxCount this client asked for.</summary>
    public int Requested { get; } = requested;

    /// <summary>The maxCount the name is in use with.</summary>
    public int InUse { get; } = inUse;
}
