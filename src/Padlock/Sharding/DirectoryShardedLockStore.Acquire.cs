using Padlock.Stores;

namespace Padlock.Sharding;

// One acquire under the map: the name's store, or while it moves its old store then its new one (always that order,
// so two movers never deadlock), started over when a newer map arrives, refused when the registration may be gone.
public sealed partial class DirectoryShardedLockStore
{
    private delegate ValueTask<StoreLease?> Take(ILockStore store, string name, int argument, LockWait wait);

    private async ValueTask<StoreLease?> AcquireAsync(string name, LockWait wait, Take take, int argument)
    {
        ArgumentNullException.ThrowIfNull(wait);
        LockNames.Validate(name);
        while (true)
        {
            var following = await FollowAsync(wait.CancellationToken).ConfigureAwait(false);
            var registrationLost = following.Registration.LostToken;
            var view = Enter(following);
            var counted = true;
            try
            {
                var place = view.Place(name);
                using var cancel = CancellationTokenSource.CreateLinkedTokenSource(wait.CancellationToken, view.Superseded, registrationLost);
                using var inner = new LockWait(
                    wait.IsSingleAttempt ? TimeSpan.Zero : wait.IsInfinite ? Timeout.InfiniteTimeSpan : wait.Remaining, cancel.Token, _context.TimeProvider);
                var first = await take(place.First, name, argument, inner).ConfigureAwait(false);
                if (first is null) return null;
                StoreLease? second = null;
                try
                {
                    if (place.Second is not null)
                    {
                        second = await take(place.Second, name, argument, inner).ConfigureAwait(false);
                        if (second is null)
                        {
                            await first.ReleaseAsync().ConfigureAwait(false);
                            return null;
                        }
                    }
                    var token = await FencingTokenAsync(view, place, first, second, wait.CancellationToken).ConfigureAwait(false);
                    // Checked after the grant, through the property (which compares the deadline with the clock, so a
                    // loss whose timer has not run yet counts): a process paused mid-acquire past its registration's
                    // expiry must not hand out a hold granted under a map a change may since have left behind.
                    ThrowIfRegistrationLost(following.Registration.LostToken);
                    var hold = new ShardedHold(first, second, token, following.Registration, view.Epoch, this);
                    counted = false; // the hold keeps the epoch counted until it is released
                    return await _holds.AdmitAsync(hold, () => new ObjectDisposedException(GetType().FullName)).ConfigureAwait(false);
                }
                catch
                {
                    if (second is not null) await second.ReleaseAsync().ConfigureAwait(false);
                    await first.ReleaseAsync().ConfigureAwait(false);
                    throw;
                }
            }
            catch (OperationCanceledException) when (!wait.CancellationToken.IsCancellationRequested && registrationLost.IsCancellationRequested)
            {
                ThrowIfRegistrationLost(registrationLost);
                throw;
            }
            catch (OperationCanceledException) when (!wait.CancellationToken.IsCancellationRequested && view.Superseded.IsCancellationRequested && !wait.TimedOut)
            {
                // A newer map arrived while waiting: start over under it.
            }
            catch (OperationCanceledException) when (!wait.CancellationToken.IsCancellationRequested && !view.Superseded.IsCancellationRequested)
            {
                // The inner wait's own deadline, the caller's remaining time: not acquired. (Its timer may fire a hair
                // before the caller's clock says the timeout passed, so this is not left to the caller's TimedOut.)
                return null;
            }
            finally
            {
                if (counted) Leave(view.Epoch);
            }
        }
    }

    /// <summary>
    /// The hold's token: (generation, shard token). A name that moves is held on both stores; its token comes from the
    /// old store until this client reads a map in which the move is finished, from the new store afterwards. Holds of
    /// one name are serialised and each reads the directory while holding, so along the holds the switch happens once.
    /// </summary>
    private async ValueTask<long> FencingTokenAsync(ShardView view, ShardPlacement place, StoreLease first, StoreLease? second, CancellationToken cancellationToken)
    {
        if (second is null) return Packed(place.Generation, first.FencingToken);
        var entry = await _directory.ReadMapAsync(cancellationToken).ConfigureAwait(false);
        var latest = entry is null ? view.Map : ShardMap.Parse(entry.Document);
        var finished = latest.Epoch > view.Epoch && latest.Current.Epoch == view.Map.Target.Epoch;
        return finished ? Packed(place.NewGeneration, second.FencingToken) : Packed(place.Generation, first.FencingToken);
    }

    private static long Packed(long generation, long shardToken)
    {
        if (shardToken is < 0 or > ShardTokens.MaxShardToken)
            throw new InvalidOperationException(
                $"A shard granted fencing token {shardToken}, beyond the {ShardTokens.ShardTokenBits}-bit budget of a directory-mapped shard (see ShardTokens); the hold was released.");
        return ShardTokens.Pack(generation, shardToken);
    }

    private void ThrowIfRegistrationLost(CancellationToken registrationLost)
    {
        if (registrationLost.IsCancellationRequested)
            throw new LockStoreUnavailableException("sharded", [_directory.Description],
                $"This client's registration in the shard directory {_directory.Description} may have expired (it has not heard from the directory within its session or lease), so a shard change may have moved on without it: no hold is granted until it has registered again.");
    }
}
