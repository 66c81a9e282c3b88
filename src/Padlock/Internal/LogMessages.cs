using Microsoft.Extensions.Logging;

namespace Padlock.Internal;

/// <summary>Padlock's log events, source-generated so that a disabled level costs nothing.</summary>
internal static partial class LogMessages
{
    [LoggerMessage(1, LogLevel.Debug, "Acquired lock '{Name}' on {Store}:// with fencing token {FencingToken}")]
    internal static partial void Acquired(ILogger logger, string name, string store, long fencingToken);

    [LoggerMessage(2, LogLevel.Debug, "Released lock '{Name}' on {Store}:// after {HeldMs} ms")]
    internal static partial void Released(ILogger logger, string name, string store, double heldMs);

    [LoggerMessage(3, LogLevel.Warning, "Lost lock '{Name}' on {Store}:// (fencing token {FencingToken}) after {HeldMs} ms: the store can no longer guarantee the hold")]
    internal static partial void Lost(ILogger logger, string name, string store, long fencingToken, double heldMs);

    [LoggerMessage(4, LogLevel.Warning, "Releasing lock '{Name}' on {Store}:// failed; the store will free it when its lease ends")]
    internal static partial void ReleaseFailed(ILogger logger, Exception exception, string name, string store);
}
