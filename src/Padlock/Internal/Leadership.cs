using Padlock.Stores;

namespace Padlock.Internal;

/// <summary>
/// The handle of an elected campaigner: the lock handle of its hold (loss, release, telemetry) plus its value, which
/// <see cref="ProclaimAsync"/> changes in the store one call at a time.
/// </summary>
internal sealed class Leadership(LockHandle handle, StoreLease lease, IElectionStore store, string value) : ILeadership
{
    private readonly SemaphoreSlim _proclaiming = new(1, 1);
    private volatile string _value = value;
    private volatile bool _resigned;

    public string Name => handle.Name;

    public long FencingToken => handle.FencingToken;

    public CancellationToken LostToken => handle.LostToken;

    public bool IsLost => handle.IsLost;

    public string Value => _value;

    public async ValueTask ProclaimAsync(string newValue, CancellationToken cancellationToken = default)
    {
        ElectionLimits.ValidateValue(newValue, nameof(newValue));
        await _proclaiming.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_resigned) throw new InvalidOperationException($"The leadership of election '{Name}' was resigned: campaign again to lead.");
            if (IsLost) throw new InvalidOperationException($"The leadership of election '{Name}' (term {FencingToken}) was lost: nothing was proclaimed.");
            await store.ProclaimAsync(Name, lease, newValue, cancellationToken).ConfigureAwait(false);
            _value = newValue;
        }
        finally
        {
            _proclaiming.Release();
        }
    }

    public ValueTask ResignAsync() => DisposeAsync();

    public ValueTask DisposeAsync()
    {
        _resigned = true;
        return handle.DisposeAsync();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
