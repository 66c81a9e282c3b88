using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Padlock.ZooKeeper.Client.Watches;

/// <summary>
/// Runs watch callbacks and state notifications one at a time, in the order they were posted, on its own task:
/// the receive loop only posts, so a slow or blocking callback never stalls replies.
/// </summary>
internal sealed class EventDispatcher : IAsyncDisposable
{
    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    public EventDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Post(Action action) => _queue.Writer.TryWrite(action);

    private async Task RunAsync()
    {
        await foreach (var action in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "A ZooKeeper watch or state callback threw");
            }
        }
    }

    /// <summary>Runs what was posted so far, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
