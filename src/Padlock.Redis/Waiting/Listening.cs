namespace Padlock.Redis.Waiting;

/// <summary>One listener's hold on a name's wake-up channel (<see cref="WakeChannels.Listen"/>); dispose to let it go.</summary>
internal sealed class Listening : IDisposable
{
    private WakeChannels.Entry? _entry;

    internal Listening(WakeChannels.Entry entry)
    {
        _entry = entry;
        // Started at once: by the time a first attempt fails, the SUBSCRIBE is usually on its way or done.
        _ = entry.Start().ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
    }

    /// <summary>Whether the channel is confirmed subscribed now (a message published from now on reaches this store).</summary>
    public bool IsReady => _entry?.IsReady ?? false;

    /// <summary>
    /// Whether this listener is on <paramref name="peeked"/> (<see cref="WakeChannels.Peek"/> before an attempt) and it
    /// is still subscribed: then the channel was subscribed without a break since before that attempt, and a hand-off
    /// published after it reached this store.
    /// </summary>
    public bool ContinuesFrom(WakeChannels.Entry? peeked) => peeked is not null && ReferenceEquals(_entry, peeked) && peeked.IsReady;

    /// <summary>Waits until the channel is subscribed; false when that failed (the waiter then relies on the fallback check).</summary>
    public Task<bool> ReadyAsync() => _entry?.ReadyAsync() ?? Task.FromResult(false);

    /// <inheritdoc/>
    public void Dispose() => Interlocked.Exchange(ref _entry, null)?.Release();
}
