using Padlock.Stores;

namespace Padlock.Sharding;

// Inspecting semaphores and reader-writer locks through the map: the store every hold passes through (the old one while
// the name moves), with tokens packed as holders see them.
public sealed partial class DirectoryShardedLockStore : IPrimitiveInspector
{
    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The name's shard cannot tell who holds its semaphores.</exception>
    public ValueTask<PrimitiveStatus> InspectSemaphoreAsync(string name, int maxCount, CancellationToken cancellationToken = default)
        => InspectPrimitiveAsync(name, (inspector, ct) => inspector.InspectSemaphoreAsync(name, maxCount, ct), cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">The name's shard cannot tell who holds its reader-writer locks.</exception>
    public ValueTask<PrimitiveStatus> InspectReaderWriterAsync(string name, CancellationToken cancellationToken = default)
        => InspectPrimitiveAsync(name, (inspector, ct) => inspector.InspectReaderWriterAsync(name, ct), cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException">Always: a sharded store has no elections.</exception>
    public ValueTask<PrimitiveStatus> InspectElectionAsync(string name, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("A sharded store has no elections; inspect the election on the store it runs on.");

    private async ValueTask<PrimitiveStatus> InspectPrimitiveAsync(string name, Func<IPrimitiveInspector, CancellationToken, ValueTask<PrimitiveStatus>> inspect,
        CancellationToken cancellationToken)
    {
        LockNames.Validate(name);
        var following = await FollowAsync(cancellationToken).ConfigureAwait(false);
        ShardView view;
        lock (_gate) view = following.View;
        var place = view.Place(name);
        var status = place.First is IPrimitiveInspector inspector
            ? await inspect(inspector, cancellationToken).ConfigureAwait(false)
            : throw new NotSupportedException($"A {place.First.Kind}:// shard cannot report who holds or waits for its primitives.");
        PrimitiveEntry Pack(PrimitiveEntry e) => e with { FencingToken = e.FencingToken is { } t ? Packed(place.Generation, t) : null };
        return status with { Holders = [.. status.Holders.Select(Pack)], Waiters = status.Waiters is null ? null : [.. status.Waiters.Select(Pack)] };
    }
}
