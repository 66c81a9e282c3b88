using Microsoft.Extensions.Logging;
using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Protocol;

namespace Padlock.ZooKeeper.Locks;

/// <summary>
/// The one ZooKeeper session a store's locks share, and the judge of when its holds can no longer be trusted: the
/// session expired or closed, or nothing has been heard from the ensemble for <c>fraction</c> of the session timeout.
/// Holds granted before such a loss share a token that then fires; holds granted after a reconnect get a new one.
/// </summary>
internal sealed class LockSession : IAsyncDisposable
{
    private readonly double _fraction;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private CancellationTokenSource _epoch = new();
    private bool _ended;

    public LockSession(ZooKeeperClient client, double fraction, TimeProvider time, ILogger logger)
    {
        Client = client;
        _fraction = fraction;
        _logger = logger;
        client.StateChanged += OnStateChanged;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(client.NegotiatedTimeout.TotalMilliseconds / 20, 20, 500));
        _timer = time.CreateTimer(static s => ((LockSession)s!).Check(), this, tick, tick);
    }

    public ZooKeeperClient Client { get; }

    /// <summary>False once the session expired or closed: a new one is needed.</summary>
    public bool IsUsable => Client.State is not (ConnectionState.Expired or ConnectionState.Closed or ConnectionState.AuthFailed);

    /// <summary>Fires when holds granted now are lost; read it when a hold is granted (just after a reply, so contact is fresh).</summary>
    public CancellationToken LossToken
    {
        get
        {
            Check();
            lock (_gate) return _epoch.Token;
        }
    }

    private TimeSpan Limit => Client.NegotiatedTimeout * _fraction;

    private void OnStateChanged(ConnectionState state)
    {
        if (state is ConnectionState.Expired or ConnectionState.Closed or ConnectionState.AuthFailed) End();
        else Check();
    }

    /// <summary>Trips the current holds now if the ensemble has been silent past the limit (a timer does it otherwise).</summary>
    public void CheckContact() => Check();

    private void Check()
    {
        CancellationTokenSource? trip = null;
        lock (_gate)
        {
            if (_ended) return;
            var silent = Client.SinceLastContact;
            if (silent > Limit)
            {
                if (!_epoch.IsCancellationRequested) trip = _epoch;
            }
            else if (_epoch.IsCancellationRequested && Client.State == ConnectionState.Connected)
            {
                // Back in touch: holds granted from now on are good again.
                _epoch = new CancellationTokenSource();
            }
        }
        if (trip is null) return;
        _logger.LogWarning("No word from ZooKeeper for {Silent} ms (limit {Limit} ms): locks held through session 0x{Session:x} count as lost",
            (long)Client.SinceLastContact.TotalMilliseconds, (long)Limit.TotalMilliseconds, Client.SessionId);
        trip.Cancel();
    }

    private void End()
    {
        CancellationTokenSource epoch;
        lock (_gate)
        {
            if (_ended) return;
            _ended = true;
            epoch = _epoch;
        }
        epoch.Cancel();
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        Client.StateChanged -= OnStateChanged;
        await Client.DisposeAsync().ConfigureAwait(false);
    }
}
