namespace Padlock.ZooKeeper.Client.Protocol;

/// <summary>Watch event types; <see cref="None"/> carries a connection state change.</summary>
internal enum WatchEventType
{
    None = -1,
    NodeCreated = 1,
    NodeDeleted = 2,
    NodeDataChanged = 3,
    NodeChildrenChanged = 4,
}

/// <summary>The client's connection state, as reported to subscribers.</summary>
internal enum ConnectionState
{
    Disconnected = 0,
    Connected = 3,
    AuthFailed = 4,
    Expired = -112,
    Closed = 7,
}

/// <summary>A fired watch (a path event) or, with <see cref="WatchEventType.None"/>, a state change ending every armed watch.</summary>
internal sealed record WatchedEvent(WatchEventType Type, ConnectionState State, string? Path);
