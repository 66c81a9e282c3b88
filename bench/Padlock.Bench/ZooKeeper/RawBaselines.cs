using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Padlock.LocalServers;

namespace Padlock.Bench.ZooKeeper;

/// <summary>
/// The floors the ZooKeeper client is compared with: one request and its reply over a bare socket (the same async
/// socket calls the client makes), with nothing else: no framing layer, no xid matching, no pipelining — a Redis PING and a hand-built ZooKeeper exists.
/// </summary>
internal static class RawBaselines
{
    /// <summary>A redis-server on a free port with persistence off, or null when Redis is not installed.</summary>
    public static async Task<ServerProcess?> StartRedisAsync()
    {
        string program;
        try { program = ServerBinaries.Require("redis-server"); }
        catch (InvalidOperationException) { return null; }
        var port = FreePort.Next();
        var dir = ServerProcess.NewDataDirectory("redis-bench");
        var redis = new ServerProcess($"redis 127.0.0.1:{port}", program, ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], dir,
            ct => ServerProcess.TcpAnswers(port, ct));
        await redis.StartAsync();
        RedisPort = port;
        return redis;
    }

    public static int RedisPort { get; private set; }

    /// <summary>A socket that sends "PING" and reads "+PONG" per call.</summary>
    public static Func<int, ValueTask> RedisPing(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect("127.0.0.1", port);
        var ping = Encoding.ASCII.GetBytes("PING\r\n");
        var reply = new byte[7];
        return async _ =>
        {
            await socket.SendAsync(ping);
            var got = 0;
            while (got < reply.Length) got += await socket.ReceiveAsync(reply.AsMemory(got));
        };
    }

    /// <summary>A socket with a ZooKeeper session (hand-built handshake) that sends exists("/") per call.</summary>
    public static Func<int, ValueTask> ZooKeeperExists(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect("127.0.0.1", port);
        var connect = new byte[49];
        BinaryPrimitives.WriteInt32BigEndian(connect, 45);
        BinaryPrimitives.WriteInt32BigEndian(connect.AsSpan(16), 10000);
        BinaryPrimitives.WriteInt32BigEndian(connect.AsSpan(28), 16);
        socket.Send(connect);
        ReadFrame(socket, new byte[64]);
        var request = new byte[4 + 8 + 4 + 1 + 1];
        BinaryPrimitives.WriteInt32BigEndian(request, request.Length - 4);
        BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(8), 3); // exists
        BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(12), 1);
        request[16] = (byte)'/';
        var buffer = new byte[256];
        var xid = 0;
        return async _ =>
        {
            BinaryPrimitives.WriteInt32BigEndian(request.AsSpan(4), ++xid);
            await socket.SendAsync(request);
            var got = 0;
            while (got < 4) got += await socket.ReceiveAsync(buffer.AsMemory(got, 4 - got));
            var length = BinaryPrimitives.ReadInt32BigEndian(buffer);
            got = 0;
            while (got < length) got += await socket.ReceiveAsync(buffer.AsMemory(4 + got, length - got));
        };
    }

    private static void ReadFrame(Socket socket, byte[] buffer)
    {
        var got = 0;
        while (got < 4) got += socket.Receive(buffer, got, 4 - got, SocketFlags.None);
        var length = BinaryPrimitives.ReadInt32BigEndian(buffer);
        got = 0;
        while (got < length) got += socket.Receive(buffer, 4 + got, length - got, SocketFlags.None);
    }
}
