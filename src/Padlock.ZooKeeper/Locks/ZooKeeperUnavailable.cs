using Padlock.Stores;

namespace Padlock.ZooKeeper.Locks;

/// <summary>
/// Turns the client's "cannot reach the ensemble" errors (<see cref="ZooKeeperErrorCode.ConnectionLoss"/>, and
/// <see cref="ZooKeeperErrorCode.RequestTimeout"/>: no reply in time) into <see cref="LockStoreUnavailableException"/>
/// where they leave the store, keeping the <see cref="ZooKeeperException"/> and its code as the inner exception.
/// Inside the store the codes stay, because the retry paths decide by them. Protocol errors keep their own type.
/// </summary>
internal static class ZooKeeperUnavailable
{
    public static bool Is(Exception ex) => ex is ZooKeeperException { Code: ZooKeeperErrorCode.ConnectionLoss or ZooKeeperErrorCode.RequestTimeout };

    public static LockStoreUnavailableException Wrap(IList<string> servers, Exception inner)
        => new("zk", servers.ToArray(), $"ZooKeeper at {string.Join(",", servers)} cannot be reached: {inner.Message}", inner);
}
