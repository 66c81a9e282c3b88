using StackExchange.Redis;

namespace Padlock.Redis.Waiting;

/// <summary>
/// The store's single wake-up subscription, shared by all its waiters. A release publishes "tag\nhead-token" on
/// the store's channel; the hub wakes only the named waiter if it is here (the others stay asleep: it is not
/// their turn), or every local waiter of that lock when the message names nobody (Redlock, which has no queue).
/// </summary>
internal sealed class WakeHub
{
    private readonly Dictionary<string, List<Waiter>> _byTag = new(StringComparer.Ordinal);

    /// <summary>Creates a hub for <paramref name="channel"/>.</summary>
    public WakeHub(RedisChannel channel) => Channel = channel;

    /// <summary>The channel releases publish on.</summary>
    public RedisChannel Channel { get; }

    /// <summary>Subscribes <paramref name="mux"/> to the channel, delivering to this hub.</summary>
    public Task SubscribeAsync(ConnectionMultiplexer mux) => mux.GetSubscriber().SubscribeAsync(Channel, (_, message) => OnMessage(message));

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

    internal void OnMessage(RedisValue message)
    {
        var text = (string?)message;
        if (text is null) return;
        var nl = text.IndexOf('\n', StringComparison.Ordinal);
        if (nl < 0) return;
        var tag = text[..nl];
        var head = text[(nl + 1)..];
        Waiter[] toWake;
        lock (_byTag)
        {
            if (!_byTag.TryGetValue(tag, out var list)) return;
            toWake = head.Length == 0 ? [.. list] : [.. list.Where(w => w.Token == head)];
        }
        foreach (var w in toWake) w.Signal.Set();
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
