using StackExchange.Redis;

namespace Padlock.Redis.Waiting;

/// <summary>
/// Where a store's wake-up messages go (from <see cref="WakeChannels"/>' per-name channels, or Redlock's one channel
/// per master), shared by all its waiters. A release that hands the lock to the first waiter publishes
/// "tag\nwaiter-token\nfencing-token"; the hub wakes only that waiter if it is here (the others stay asleep: it is not their turn). A message naming nobody wakes every local waiter of that
/// lock (Redlock, which has no queue). "tag\n+token" says a waiter joined the line: it goes to
/// <paramref name="onQueued"/>, so a process handing a lock around inside itself knows to give it back.
/// </summary>
internal sealed class WakeHub(Action<string, string>? onQueued = null)
{
    private readonly Dictionary<string, List<Waiter>> _byTag = new(StringComparer.Ordinal);

    /// <summary>Subscribes <paramref name="connection"/> to <paramref name="channel"/>, delivering to this hub.</summary>
    public Task SubscribeAsync(Connection.RedisConnection connection, RedisChannel channel) => connection.SubscribeAsync(channel, (_, message) => OnMessage(message));

    /// <summary>Registers a waiter for the lock with <paramref name="tag"/>; dispose it to leave.</summary>
    public Waiter Register(string tag, string token)
    {
        var waiter = new Waiter(this, tag, token);
        lock (_byTag)
        {
            if (!_byTag.TryGetValue(tag, out var list)) _byTag[tag] = list = [];
            list.Add(waiter);
        }
        return waiter;
    }

    // "tag\nhead\nfence\nothers": the lock was handed to head; "tag\n": a plain release (Redlock); "tag\n+token": token joined the line.
    internal void OnMessage(RedisValue message)
    {
        var parts = ((string?)message)?.Split('\n');
        if (parts is null || parts.Length < 2) return;
        if (parts[1].StartsWith('+'))
        {
            onQueued?.Invoke(parts[0], parts[1][1..]);
            return;
        }
        var fence = parts.Length > 2 && long.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var f) ? f : 0;
        Deliver(parts[0], parts[1], fence, parts.Length > 3 && parts[3] == "1");
    }

    /// <summary>
    /// Wakes the waiter holding <paramref name="head"/> (granting it <paramref name="fence"/>), or every waiter of the
    /// lock when <paramref name="head"/> is empty. Called for published messages and, faster, by a release in this
    /// same process that handed the lock to one of its own waiters.
    /// </summary>
    public void Deliver(string tag, string head, long fence, bool othersQueued = false)
    {
        Waiter[] toWake;
        lock (_byTag)
        {
            if (!_byTag.TryGetValue(tag, out var list)) return;
            toWake = head.Length == 0 ? [.. list] : [.. list.Where(w => w.Token == head)];
        }
        foreach (var w in toWake) w.Signal.Set(fence, othersQueued);
    }

    private void Remove(Waiter waiter)
    {
        lock (_byTag)
        {
            if (_byTag.TryGetValue(waiter.Tag, out var list) && list.Remove(waiter) && list.Count == 0) _byTag.Remove(waiter.Tag);
        }
    }

    /// <summary>One waiting acquire.</summary>
    internal sealed class Waiter(WakeHub hub, string tag, string token) : IDisposable
    {
        public string Tag => tag;
        public string Token => token;
        public WakeSignal Signal { get; } = new();
        public void Dispose() => hub.Remove(this);
    }
}
