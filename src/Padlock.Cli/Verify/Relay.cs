using System.Net;
using System.Net.Sockets;

namespace Padlock.Cli.Verify;

/// <summary>
/// A TCP relay on a loopback port to one store endpoint, for the <c>partition</c> fault: while <see cref="Cut"/> is set
/// no byte passes in either direction, but every connection stays open, as in a network partition where packets are
/// dropped and TCP keeps retrying. Bytes read during the cut are held and delivered when it heals, as TCP's
/// retransmissions would. Neither side sees a reset: each learns of the partition only by its own timeouts.
/// </summary>
internal sealed class Relay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly DnsEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private volatile TaskCompletionSource _healed = Healed();

    public Relay(DnsEndPoint upstream)
    {
        _upstream = upstream;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The loopback port clients connect to instead of the store's.</summary>
    public int Port { get; }

    /// <summary>True while the relay passes nothing.</summary>
    public bool Cut
    {
        get => !_healed.Task.IsCompleted;
        set
        {
            if (value == Cut) return;
            if (value) _healed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            else _healed.TrySetResult();
        }
    }

    private static TaskCompletionSource Healed()
    {
        var healed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        healed.SetResult();
        return healed;
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                // A connection opened during a cut hangs like any other: the store hears nothing until the heal.
                await _healed.Task.WaitAsync(_stop.Token);
                var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                client.NoDelay = true;
                try
                {
                    await server.ConnectAsync(_upstream, _stop.Token);
                }
                catch (SocketException)
                {
                    // The store is down: the client sees its connection closed, as it would connecting directly.
                    client.Dispose();
                    server.Dispose();
                    continue;
                }
                lock (_sockets) _sockets.AddRange([client, server]);
                _ = PumpAsync(client, server);
                _ = PumpAsync(server, client);
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, _stop.Token);
                if (n == 0) break;
                await _healed.Task.WaitAsync(_stop.Token);
                await to.SendAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception)
        {
            // Either side closed, or the relay stopped: close both, as the network would end the conversation.
        }
        foreach (var s in new[] { from, to })
        {
            try { s.Shutdown(SocketShutdown.Both); } catch (Exception) { }
            s.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accepting; } catch (Exception) { }
        lock (_sockets)
        {
            foreach (var s in _sockets) s.Dispose();
        }
        _stop.Dispose();
    }
}
