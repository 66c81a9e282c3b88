using Microsoft.Extensions.Logging;
using Padlock.Redis.Connection;
using StackExchange.Redis;

namespace Padlock.Redis.Waiting;

/// <summary>
/// A store's wake-up subscriptions, one channel per lock name (<c>prefix{name}:wake</c>), so a release wakes only the
/// processes that wait for that name, not every process using the prefix. A channel is subscribed while someone here
/// waits for the name or holds it with callers queued behind, and for a short linger after, so a name contended
/// again soon does not pay for a new SUBSCRIBE. Messages go to the store's <see cref="WakeHub"/>.
/// </summary>
/// <remarks>
/// A waiter never waits for the SUBSCRIBE before its first attempt (the uncontended path stays one round trip): when
/// the channel was not confirmed before that attempt, the waiter attempts once more after it is (which also finds a
/// hand-off made in between). A subscription that fails leaves the waiter on the fallback check, and the next call
/// tries again. Unsubscribing and subscribing the same channel again are ordered.
/// </remarks>
internal sealed class WakeChannels(RedisConnection connection, WakeHub hub, TimeProvider time, ILogger logger)
{
    /// <summary>How long an unused channel stays subscribed.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    private readonly RedisConnection _connection = connection;
    private readonly WakeHub _hub = hub;
    private readonly ILogger _logger = logger;
    private readonly Dictionary<RedisChannel, Entry> _entries = [];
    private readonly Dictionary<RedisChannel, Task> _closing = [];

    /// <summary>Listens on <paramref name="channel"/> until the returned handle is disposed (and the linger after).</summary>
    public Listening Listen(RedisChannel channel)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(channel, out var entry))
            {
                _closing.TryGetValue(channel, out var closing);
                _entries[channel] = entry = new Entry(this, channel, closing ?? Task.CompletedTask);
            }
            entry.Refs++;
            entry.Generation++;
            return new Listening(entry);
        }
    }

    /// <summary>
    /// The channel's subscription when it is confirmed now, without listening (nothing allocated, nothing sent): a
    /// caller that attempts first and listens only when it must wait passes this to
    /// <see cref="Listening.ContinuesFrom"/> to learn whether a hand-off published after the attempt reached it.
    /// </summary>
    public Entry? Peek(RedisChannel channel)
    {
        lock (_entries) return _entries.TryGetValue(channel, out var entry) && entry.IsReady ? entry : null;
    }

    /// <summary>How many channels are subscribed or lingering (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (_entries) return _entries.Count;
        }
    }

    private void Release(Entry entry)
    {
        long generation;
        lock (_entries)
        {
            if (--entry.Refs > 0) return;
            generation = entry.Generation;
        }
        _ = UnsubscribeLaterAsync(entry, generation);
    }

    private async Task UnsubscribeLaterAsync(Entry entry, long generation)
    {
        try
        {
            await Task.Delay(Linger, time).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        var name = entry.Channel;
        TaskCompletionSource closed;
        lock (_entries)
        {
            // Listened to again meanwhile: it stays. (Once removed, an entry is never used again.)
            if (entry.Refs > 0 || entry.Generation != generation || !_entries.Remove(name)) return;
            closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _closing[name] = closed.Task;
        }
        try
        {
            // After the subscription it undoes, even one still in flight.
            await entry.SettledAsync().ConfigureAwait(false);
            await _connection.UnsubscribeAsync(entry.Channel, entry.Handler).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Disconnected or closing: the subscription goes with the link.
            _logger.LogDebug(ex, "Unsubscribing from {Channel} failed", name.ToString());
        }
        finally
        {
            lock (_entries)
            {
                if (_closing.TryGetValue(name, out var t) && t == closed.Task) _closing.Remove(name);
            }
            closed.SetResult();
        }
    }

    /// <summary>One channel: its subscription, shared by every listener of the name.</summary>
    internal sealed class Entry
    {
        private readonly WakeChannels _owner;
        private readonly Task _after;
        private readonly Lock _gate = new();
        private Task? _subscribed;

        public Entry(WakeChannels owner, RedisChannel channel, Task after)
        {
            _owner = owner;
            _after = after;
            Channel = channel;
            Handler = (_, message) => owner._hub.OnMessage(message);
        }

        public RedisChannel Channel { get; }

        /// <summary>This entry's own handler instance, so unsubscribing removes exactly it.</summary>
        public Action<RedisChannel, RedisValue> Handler { get; }

        /// <summary>Listeners now (under the owner's lock).</summary>
        public int Refs { get; set; }

        /// <summary>Bumped by every listen, so a pending unsubscribe knows it was listened to again.</summary>
        public long Generation { get; set; }

        public bool IsReady
        {
            get
            {
                lock (_gate) return _subscribed is { IsCompletedSuccessfully: true };
            }
        }

        /// <summary>Starts the subscription if it is not made or in flight (or failed before); never throws.</summary>
        public Task Start()
        {
            lock (_gate)
            {
                if (_subscribed is null || _subscribed.IsFaulted || _subscribed.IsCanceled) _subscribed = SubscribeAsync();
                return _subscribed;
            }
        }

        /// <summary>Waits for the subscription; false (logged) when it failed: waiting then relies on the fallback check.</summary>
        public async Task<bool> ReadyAsync()
        {
            try
            {
                await Start().ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                _owner._logger.LogDebug(ex, "Subscribing to Redis wake-ups on {Channel} failed; waiters check on the fallback interval until it succeeds", Channel.ToString());
                return false;
            }
        }

        /// <summary>Completes when no subscription is in flight.</summary>
        public async Task SettledAsync()
        {
            Task? s;
            lock (_gate) s = _subscribed;
            if (s is null) return;
            try
            {
                await s.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                // nothing to undo
            }
        }

        public void Release() => _owner.Release(this);

        private async Task SubscribeAsync()
        {
            await _after.ConfigureAwait(false);
            await _owner._connection.SubscribeAsync(Channel, Handler).ConfigureAwait(false);
        }
    }
}
