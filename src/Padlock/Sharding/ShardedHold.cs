using Padlock.Sharding.Directory;
using Padlock.Stores;

namespace Padlock.Sharding;

/// <summary>
/// A hold under a directory map: the shard's hold (two while the name moves), the packed token, and loss from either
/// shard or from the client's registration in the directory (a change may proceed without a client the directory
/// dropped, so its holds can no longer be vouched for).
/// </summary>
internal sealed class ShardedHold : StoreLease
{
    private readonly StoreLease _first;
    private readonly StoreLease? _second;
    private readonly IShardDirectoryRegistration _registration;
    private readonly long _epoch;
    private readonly DirectoryShardedLockStore _store;
    private readonly CancellationTokenRegistration[] _watches;

    public ShardedHold(StoreLease first, StoreLease? second, long token, IShardDirectoryRegistration registration, long epoch, DirectoryShardedLockStore store)
    {
        _first = first;
        _second = second;
        FencingToken = token;
        _registration = registration;
        _epoch = epoch;
        _store = store;
        _watches =
        [
            first.LostToken.UnsafeRegister(static s => ((ShardedHold)s!).MarkLost(), this),
            second?.LostToken.UnsafeRegister(static s => ((ShardedHold)s!).MarkLost(), this) ?? default,
            registration.LostToken.UnsafeRegister(static s => ((ShardedHold)s!).MarkLost(), this),
        ];
    }

    public override long FencingToken { get; }

    protected override void CheckDeadline()
    {
        // Reading each token runs its own deadline check; a passed one cancels it and the registrations above mark this lost.
        _ = _first.LostToken;
        _ = _second?.LostToken;
        _ = _registration.LostToken;
    }

    protected override async ValueTask ReleaseCoreAsync()
    {
        foreach (var watch in _watches) watch.Dispose();
        try
        {
            if (_second is not null) await _second.ReleaseAsync().ConfigureAwait(false);
        }
        finally
        {
            try
            {
                await _first.ReleaseAsync().ConfigureAwait(false);
            }
            finally
            {
                _store.Released(_epoch);
            }
        }
    }
}
