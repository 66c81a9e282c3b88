using Padlock.ZooKeeper.Client.Jute;
using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Client.Session;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Client;

/// <summary>The codec against the worked bytes of docs/zookeeper-protocol.md §10 (all accepted by a live 3.8.0 server).</summary>
public sealed class CodecTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal).Replace("|", "", StringComparison.Ordinal));

    [Fact]
    public void ConnectRequest_matches_the_worked_bytes()
    {
        var w = new JuteWriter();
        new ConnectRequest(0, 10000, 0, new byte[16]).Write(w);
        var expected = Hex("0000002D 00000000 0000000000000000 00002710 0000000000000000 00000010 00000000000000000000000000000000 00");
        Assert.Equal(49, w.Length);
        Assert.Equal(expected, w.WrittenSpan.ToArray());
    }

    [Fact]
    public void ConnectResponse_is_read_with_and_without_the_read_only_byte()
    {
        var password = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var live = Hex("00000000 00002710 0100000987580009 00000010").Concat(password).Append((byte)0).ToArray();
        var r = ConnectResponse.Read(new JuteReader(live));
        Assert.Equal(10000, r.TimeoutMs);
        Assert.Equal(0x0100000987580009, r.SessionId);
        Assert.Equal(password, r.Password);
        Assert.False(r.ReadOnly);
        var old = ConnectResponse.Read(new JuteReader(live[..^1]));
        Assert.Equal(0x0100000987580009, old.SessionId);
        Assert.False(old.ReadOnly);
        // An expired session: all zeros.
        var expired = ConnectResponse.Read(new JuteReader(Hex("00000000 00000000 0000000000000000 00000010").Concat(new byte[16]).ToArray()));
        Assert.True(expired.TimeoutMs <= 0);
    }

    [Fact]
    public void Create_request_matches_the_worked_bytes()
    {
        var w = new JuteWriter();
        Requests.Frame(w, 1, OpCode.Create, b => Requests.Create(b, "/a", [], Acl.Open, CreateMode.Ephemeral));
        var expected = Hex("00000031 00000001 00000001 00000002 2F61 00000000 00000001 0000001F 00000005 776F726C64 00000006 616E796F6E65 00000001");
        Assert.Equal(expected, w.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task Create_reply_is_read_through_a_pending_request()
    {
        var frame = Hex("00000001 000000000000002B 00000000 00000002 2F61");
        var r = new JuteReader(frame);
        var header = ReplyHeader.Read(r);
        Assert.Equal(new ReplyHeader(1, 0x2B, 0), header);
        var request = new PendingRequest<string>(OpCode.Create, "/a", _ => { }, x => x.ReadRequiredString());
        request.Complete(header, r);
        Assert.Equal("/a", await request.Task);
    }

    [Fact]
    public void Error_replies_become_exceptions_with_the_code_name()
    {
        var frame = Hex("00000007 0000000000000000 FFFFFF9B");
        var r = new JuteReader(frame);
        var request = new PendingRequest<string>(OpCode.GetData, "/missing", _ => { }, x => x.ReadRequiredString());
        request.Complete(ReplyHeader.Read(r), r);
        var ex = Assert.IsType<ZooKeeperException>(request.Task.Exception!.InnerException);
        Assert.Equal(ZooKeeperErrorCode.NoNode, ex.Code);
        Assert.Contains("NoNode (-101)", ex.Message);
        Assert.Contains("/missing", ex.Message);
        Assert.Equal(-110, (int)ZooKeeperErrorCode.NodeExists);
        Assert.Equal(-112, (int)ZooKeeperErrorCode.SessionExpired);
    }

    [Fact]
    public void Ping_and_close_frames_match_the_worked_bytes()
    {
        var w = new JuteWriter();
        Requests.Frame(w, Xids.Ping, OpCode.Ping, null);
        Assert.Equal(Hex("00000008 FFFFFFFE 0000000B"), w.WrittenSpan.ToArray());
        w.Clear();
        Requests.Frame(w, 7, OpCode.CloseSession, null);
        Assert.Equal(Hex("00000008 00000007 FFFFFFF5"), w.WrittenSpan.ToArray());
    }

    [Fact]
    public void Null_and_empty_buffers_and_strings_are_distinct()
    {
        var w = new JuteWriter();
        w.WriteBuffer([], isNull: true);
        w.WriteBuffer([]);
        w.WriteString(null);
        w.WriteString("é");
        Assert.Equal(Hex("FFFFFFFF 00000000 FFFFFFFF 00000002 C3A9"), w.WrittenSpan.ToArray());
        var r = new JuteReader(w.WrittenSpan.ToArray());
        Assert.Null(r.ReadBuffer());
        Assert.Empty(r.ReadBuffer()!);
        Assert.Null(r.ReadString());
        Assert.Equal("é", r.ReadString());
        r.EnsureEnd();
    }

    [Fact]
    public void Stat_is_68_bytes_in_declaration_order()
    {
        var w = new JuteWriter();
        w.WriteLong(1); w.WriteLong(2); w.WriteLong(3); w.WriteLong(4);
        w.WriteInt(5); w.WriteInt(6); w.WriteInt(7);
        w.WriteLong(8); w.WriteInt(9); w.WriteInt(10); w.WriteLong(11);
        Assert.Equal(68, w.Length);
        var s = Stat.Read(new JuteReader(w.WrittenSpan.ToArray()));
        Assert.Equal(new Stat(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), s);
    }

    [Fact]
    public void Failed_multi_results_are_read_by_the_header_type()
    {
        var w = new JuteWriter();
        foreach (var err in new[] { 0, -101, -2 })
        {
            w.WriteInt(-1); w.WriteBool(false); w.WriteInt(err); w.WriteInt(err);
        }
        // A create2 sub-op answered as a plain create (3.8.0/3.8.1), then the terminator.
        w.WriteInt(1); w.WriteBool(false); w.WriteInt(0); w.WriteString("/x");
        w.WriteInt(-1); w.WriteBool(true); w.WriteInt(-1);
        var results = MultiResult.ReadAll(new JuteReader(w.WrittenSpan.ToArray()), p => p);
        Assert.Equal([ZooKeeperErrorCode.Ok, ZooKeeperErrorCode.NoNode, ZooKeeperErrorCode.RuntimeInconsistency, ZooKeeperErrorCode.Ok], results.Select(x => x.Error));
        Assert.Equal("/x", results[3].Path);
    }

    [Theory]
    [InlineData("FFFFFFFF")]              // negative frame length
    [InlineData("7FFFFFFF")]              // far above the limit
    [InlineData("00100400")]              // just above 1 MiB + 1 KiB
    public async Task Oversized_or_negative_frame_lengths_are_protocol_errors(string lengthHex)
    {
        var frames = new FrameReader(new MemoryStream(Hex(lengthHex + "00000000")), 0xfffff + 1024);
        await Assert.ThrowsAsync<ProtocolException>(async () => await frames.ReadFrameAsync());
    }

    [Fact]
    public async Task Frames_are_cut_from_a_stream_and_a_truncated_one_is_a_protocol_error()
    {
        var bytes = Hex("00000002 0102 00000000 00000003 0A0B");
        var frames = new FrameReader(new MemoryStream(bytes), 1024);
        Assert.Equal(2, (await frames.ReadFrameAsync())!.Remaining);
        Assert.Equal(0, (await frames.ReadFrameAsync())!.Remaining);
        await Assert.ThrowsAsync<ProtocolException>(async () => await frames.ReadFrameAsync());
        var clean = new FrameReader(new MemoryStream(Hex("00000001 FF")), 1024);
        Assert.NotNull(await clean.ReadFrameAsync());
        Assert.Null(await clean.ReadFrameAsync());
    }

    [Fact]
    public void Length_fields_beyond_the_frame_are_refused_before_allocating()
    {
        Assert.Throws<ProtocolException>(() => new JuteReader(Hex("7FFFFFF0 0102")).ReadBuffer());
        Assert.Throws<ProtocolException>(() => new JuteReader(Hex("00000010 0102")).ReadString());
        Assert.Throws<ProtocolException>(() => new JuteReader(Hex("7FFFFFFF 00000000")).ReadStrings());
        Assert.Throws<ProtocolException>(() => new JuteReader(Hex("FFFFFFFE")).ReadBuffer());
        Assert.Throws<ProtocolException>(() => new JuteReader(Hex("00000002 C328")).ReadString()); // invalid UTF-8
        Assert.Throws<ProtocolException>(() => new JuteReader(Hex("000000")).ReadInt());
    }
}
