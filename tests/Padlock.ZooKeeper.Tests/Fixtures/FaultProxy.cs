using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Padlock.ZooKeeper.Tests.Fixtures;

/// <summary>
/// A TCP relay between a client and a real ZooKeeper that can fail on cue: cut the connection right after a request
/// of a given type has reached the server (so its reply is lost and its outcome is in doubt), or stop relaying
/// altogether (a network partition: the server hears nothing, the client hears nothing).
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private int _cutAfterOp = int.MinValue;
    private volatile bool _blackhole;

    public FaultProxy(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public string ConnectString => $"127.0.0.1:{Port}";

    /// <summary>How many client connections were accepted.</summary>
    public int Connections;

    /// <summary>Cuts the connection once, right after the next request of type <paramref name="opCode"/> has been passed on.</summary>
    public void CutAfterNext(int opCode) => Volatile.Write(ref _cutAfterOp, opCode);

    /// <summary>True while a cut is armed and has not happened.</summary>
    public bool CutPending => Volatile.Read(ref _cutAfterOp) != int.MinValue;

    /// <summary>Stops (true) or resumes (false) relaying bytes in both directions; connections stay open.</summary>
    public bool Blackhole
    {
        get => _blackhole;
        set => _blackhole = value;
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref Connections);
                var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                client.NoDelay = true;
                await server.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
                lock (_sockets) _sockets.AddRange([client, server]);
                var link = new Link();
                _ = Task.Run(() => PumpRequestsAsync(client, server, link));
                _ = Task.Run(() => PumpAsync(server, client, link));
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    // Server to client: raw bytes.
    private sealed class Link
    {
        public volatile bool Severed;
    }

    private async Task PumpAsync(Socket from, Socket to, Link link)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, _stop.Token);
                if (n == 0) break;
                while (_blackhole) await Task.Delay(10, _stop.Token);
                if (link.Severed) break;
                await to.SendAsync(buffer.AsMemory(0, n), _stop.Token);
            }
        }
        catch (Exception)
        {
        }
        Close(from, to);
    }

    // Client to server: frame by frame, so a cut can follow a given request exactly.
    private async Task PumpRequestsAsync(Socket from, Socket to, Link link)
    {
        var stream = new NetworkStream(from);
        var first = true;
        var header = new byte[4];
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(header, _stop.Token);
                var length = BinaryPrimitives.ReadInt32BigEndian(header);
                var frame = new byte[4 + length];
                header.CopyTo(frame, 0);
                await stream.ReadExactlyAsync(frame.AsMemory(4), _stop.Token);
                while (_blackhole) await Task.Delay(10, _stop.Token);
                // The handshake frame has no request header.
                var cut = !first && length >= 8 && BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(8)) == Volatile.Read(ref _cutAfterOp);
                // Nothing more reaches the client from here on: the reply to this request is lost.
                if (cut) link.Severed = true;
                await to.SendAsync(frame, _stop.Token);
                if (cut)
                {
                    Volatile.Write(ref _cutAfterOp, int.MinValue);
                    // Let the server take the request before the cut, so it is applied but its reply is lost.
                    await Task.Delay(50);
                    break;
                }
                first = false;
            }
        }
        catch (Exception)
        {
        }
        Close(from, to);
    }

    private static void Close(Socket a, Socket b)
    {
        foreach (var s in new[] { a, b })
        {
            try { s.Shutdown(SocketShutdown.Both); } catch (Exception) { }
            s.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var s in _sockets) s.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
