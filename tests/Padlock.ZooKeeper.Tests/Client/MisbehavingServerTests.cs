using System.Net;
using System.Net.Sockets;
using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Jute;
using Padlock.ZooKeeper.Client.Protocol;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Client;

/// <summary>
/// A server that completes the handshake and then answers wrongly: the client must drop the connection and fail the
/// request with a connection loss, promptly; never hang, crash or allocate what a length field claims.
/// </summary>
public sealed class MisbehavingServerTests
{
    [Theory]
    [InlineData("oversized")]
    [InlineData("negative")]
    [InlineData("wrong-xid")]
    [InlineData("truncated-body")]
    [InlineData("close-mid-frame")]
    public async Task A_bad_reply_drops_the_connection_and_fails_the_request(string kind)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var server = Task.Run(() => ServeAsync(listener, kind, stop.Token));

        await using var client = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = $"127.0.0.1:{port}",
            RequestTimeout = TimeSpan.FromSeconds(20),
        });
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.StateChanged += s => { if (s == ConnectionState.Disconnected) disconnected.TrySetResult(); };
        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAsync<ZooKeeperException>(() => client.GetDataAsync("/x"));
        Assert.Equal(ZooKeeperErrorCode.ConnectionLoss, ex.Code);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "The failure took too long: the client must not wait for bytes a bad frame promised.");
        await disconnected.Task.WaitAsync(TimeSpan.FromSeconds(10));
        stop.Cancel();
        listener.Stop();
    }

    private static async Task ServeAsync(TcpListener listener, string kind, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(ct);
                await using var stream = new NetworkStream(socket);
                var frames = new FrameReader(stream, 1 << 20);
                if (await frames.ReadFrameAsync(ct) is null) continue;
                var w = new JuteWriter();
                w.BeginFrame();
                w.WriteInt(0); w.WriteInt(6000); w.WriteLong(0x1234); w.WriteBuffer(new byte[16]); w.WriteBool(false);
                w.EndFrame();
                await stream.WriteAsync(w.WrittenMemory, ct);
                var request = await frames.ReadFrameAsync(ct);
                if (request is null) continue;
                var xid = request.ReadInt();
                w.Clear();
                switch (kind)
                {
                    case "oversized":
                        w.WriteInt(0x7FFFFFF0);
                        break;
                    case "negative":
                        w.WriteInt(-5);
                        break;
                    case "wrong-xid":
                        w.BeginFrame(); w.WriteInt(xid + 5); w.WriteLong(1); w.WriteInt(0); w.EndFrame();
                        break;
                    case "truncated-body":
                        // getData's reply claims a 1000-byte buffer inside a 24-byte frame.
                        w.BeginFrame(); w.WriteInt(xid); w.WriteLong(1); w.WriteInt(0); w.WriteInt(1000); w.WriteInt(0); w.EndFrame();
                        break;
                    case "close-mid-frame":
                        w.WriteInt(100); w.WriteInt(xid);
                        break;
                }
                await stream.WriteAsync(w.WrittenMemory, ct);
                if (kind == "close-mid-frame") socket.Shutdown(SocketShutdown.Both);
                // Keep the socket open (if the client does not drop it, the test times out instead of passing).
                try { await Task.Delay(TimeSpan.FromSeconds(30), ct); } catch (OperationCanceledException) { }
            }
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
        }
        catch (SocketException)
        {
        }
    }
}
