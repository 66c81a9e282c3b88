using Padlock.ZooKeeper.Client.Protocol;

namespace Padlock.ZooKeeper.Client.Watches;

/// <summary>
/// The armed one-shot watches, by client path, in the three tables the server keeps (data, exist, child).
/// A watch is removed when it fires; all of them end (with a state event) when the session ends.
/// </summary>
internal sealed class WatchManager
{
    private readonly Dictionary<string, List<Action<WatchedEvent>>> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Action<WatchedEvent>>> _exist = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Action<WatchedEvent>>> _child = new(StringComparer.Ordinal);

    /// <summary>Arms <paramref name="registration"/> if the reply's error code allows it.</summary>
    public void Register(WatchRegistration registration, int err)
    {
        var table = registration.Kind switch
        {
            WatchKind.Data when err == 0 => _data,
            WatchKind.Exists when err == 0 => _data,
            // The server keeps an exists watch on a missing node; it fires NodeCreated later.
            WatchKind.Exists when err == (int)ZooKeeperErrorCode.NoNode => _exist,
            WatchKind.Child when err == 0 => _child,
            _ => null,
        };
        if (table is null) return;
        lock (this)
        {
            if (!table.TryGetValue(registration.Path, out var list)) table[registration.Path] = list = [];
            if (!list.Contains(registration.Watcher)) list.Add(registration.Watcher);
        }
    }

    /// <summary>Removes and returns the watchers a server event fires.</summary>
    public List<Action<WatchedEvent>> Trigger(WatchedEvent e)
    {
        var fired = new List<Action<WatchedEvent>>();
        if (e.Path is null) return fired;
        lock (this)
        {
            switch (e.Type)
            {
                case WatchEventType.NodeCreated:
                case WatchEventType.NodeDataChanged:
                    Take(_data, e.Path, fired);
                    Take(_exist, e.Path, fired);
                    break;
                case WatchEventType.NodeChildrenChanged:
                    Take(_child, e.Path, fired);
                    break;
                case WatchEventType.NodeDeleted:
                    Take(_data, e.Path, fired);
                    Take(_exist, e.Path, fired);
                    Take(_child, e.Path, fired);
                    break;
            }
        }
        return fired;
    }

    /// <summary>Removes and returns every watcher (the session ended).</summary>
    public List<Action<WatchedEvent>> TakeAll()
    {
        var all = new List<Action<WatchedEvent>>();
        lock (this)
        {
            foreach (var table in new[] { _data, _exist, _child })
            {
                foreach (var list in table.Values)
                {
                    foreach (var w in list)
                    {
                        if (!all.Contains(w)) all.Add(w);
                    }
                }
                table.Clear();
            }
        }
        return all;
    }

    /// <summary>The armed paths, to re-register after a reconnect.</summary>
    public (string[] Data, string[] Exist, string[] Child) Snapshot()
    {
        lock (this) return ([.. _data.Keys], [.. _exist.Keys], [.. _child.Keys]);
    }

    /// <summary>How many watchers are armed in all tables.</summary>
    public int Count
    {
        get
        {
            lock (this) return _data.Values.Sum(l => l.Count) + _exist.Values.Sum(l => l.Count) + _child.Values.Sum(l => l.Count);
        }
    }

    private static void Take(Dictionary<string, List<Action<WatchedEvent>>> table, string path, List<Action<WatchedEvent>> into)
    {
        if (!table.Remove(path, out var list)) return;
        foreach (var w in list)
        {
            if (!into.Contains(w)) into.Add(w);
        }
    }
}
