using Padlock.ZooKeeper.Client.Jute;

namespace Padlock.ZooKeeper.Client.Protocol;

/// <summary>The header of every reply frame: which request it answers, the zxid the server had reached, and an error code.</summary>
internal readonly record struct ReplyHeader(int Xid, long Zxid, int Err)
{
    public const int Size = 16;

    public static ReplyHeader Read(JuteReader r) => new(r.ReadInt(), r.ReadLong(), r.ReadInt());
}

/// <summary>The first frame on a connection: no request header.</summary>
internal readonly record struct ConnectRequest(long LastZxidSeen, int TimeoutMs, long SessionId, byte[] Password)
{
    public void Write(JuteWriter w)
    {
        w.BeginFrame();
        w.WriteInt(0); // protocol version
        w.WriteLong(LastZxidSeen);
        w.WriteInt(TimeoutMs);
        w.WriteLong(SessionId);
        w.WriteBuffer(Password);
        w.WriteBool(false); // readOnly: this client wants a quorum-backed server
        w.EndFrame();
    }
}

/// <summary>The server's answer to <see cref="ConnectRequest"/>; a timeout of 0 or less means the session is expired.</summary>
internal readonly record struct ConnectResponse(int TimeoutMs, long SessionId, byte[] Password, bool ReadOnly)
{
    public static ConnectResponse Read(JuteReader r)
    {
        var version = r.ReadInt();
        if (version != 0) throw new ProtocolException($"The server answered the handshake with protocol version {version}; this client speaks version 0.");
        var timeout = r.ReadInt();
        var session = r.ReadLong();
        var password = r.ReadBuffer() ?? [];
        // Old servers leave the read-only flag out.
        var readOnly = r.Remaining > 0 && r.ReadBool();
        return new ConnectResponse(timeout, session, password, readOnly);
    }
}
