using Padlock.ZooKeeper.Client.Protocol;

namespace Padlock.ZooKeeper.Client.Watches;

/// <summary>Which table a watch goes into once the reply arrives.</summary>
internal enum WatchKind
{
    /// <summary>getData: armed when the node exists.</summary>
    Data,
    /// <summary>exists: armed either way (a data watch if the node exists, an exist watch if not).</summary>
    Exists,
    /// <summary>getChildren: armed when the node exists.</summary>
    Child,
}

/// <summary>A watch asked for by a request, armed by the receive loop when the reply allows it.</summary>
internal sealed record WatchRegistration(WatchKind Kind, string Path, Action<WatchedEvent> Watcher);
