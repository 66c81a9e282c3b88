namespace Padlock.ZooKeeper;

/// <summary>
/// A ZooKeeper operation failed with <see cref="Code"/>. <see cref="ZooKeeperErrorCode.ConnectionLoss"/> means the
/// outcome is unknown and the request may be retried once reconnected; <see cref="ZooKeeperErrorCode.SessionExpired"/>
/// is final for the session. The lock store reports the connection-loss cases (no server reachable, no reply within
/// the request timeout) as <see cref="Stores.LockStoreUnavailableException"/> with this exception, and its code, inside.
/// </summary>
public sealed class ZooKeeperException : Exception
{
    /// <summary>Creates the exception; the message starts with the code's name and value.</summary>
    /// <param name="code">The error code.</param>
    /// <param name="detail">What was being done (a path, an endpoint), or null.</param>
    /// <param name="inner">The underlying failure, if any.</param>
    public ZooKeeperException(ZooKeeperErrorCode code, string? detail = null, Exception? inner = null)
        : base(FormatMessage(code, detail), inner)
    {
        Code = code;
    }

    /// <summary>The error code.</summary>
    public ZooKeeperErrorCode Code { get; }

    private static string FormatMessage(ZooKeeperErrorCode code, string? detail)
    {
        var name = Enum.IsDefined(code) ? code.ToString() : "Unknown";
        return detail is null ? $"ZooKeeper error {name} ({(int)code})." : $"ZooKeeper error {name} ({(int)code}): {detail}";
    }
}
