using Padlock.ZooKeeper.Client.Jute;
using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Client.Session;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Client;

/// <summary>
/// Random and truncated input to every decoder: the only acceptable outcomes are a value or a
/// <see cref="ProtocolException"/> (never another exception, a hang or a huge allocation).
/// </summary>
public sealed class DecoderFuzzTests
{
    private static readonly Func<JuteReader, object?>[] Decoders =
    [
        r => ConnectResponse.Read(r),
        r => ReplyHeader.Read(r),
        r => Stat.Read(r),
        r => r.ReadStrings(),
        r => (r.ReadBuffer(), Stat.Read(r)),
        r => (r.ReadRequiredString(), Stat.Read(r)),
        r => MultiResult.ReadAll(r, p => p),
        r => (r.ReadInt(), r.ReadInt(), r.ReadString()),
    ];

    [Fact]
    public void Random_bytes_give_a_value_or_a_protocol_error()
    {
        var random = new Random(4242);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = new byte[random.Next(0, 96)];
            random.NextBytes(bytes);
            // Bias towards small lengths, so decoders get past the first field more often.
            if (bytes.Length > 4 && random.Next(2) == 0) bytes[0] = bytes[1] = bytes[2] = 0;
            foreach (var decode in Decoders) Decode(decode, bytes);
        }
    }

    [Fact]
    public void Every_truncation_of_valid_records_is_a_protocol_error()
    {
        var w = new JuteWriter();
        w.WriteInt(0); w.WriteInt(4000); w.WriteLong(77); w.WriteBuffer(new byte[16]); w.WriteBool(false);
        var connect = w.WrittenSpan.ToArray();
        w.Clear();
        w.WriteInt(2); w.WriteString("alpha"); w.WriteString("beta");
        var children = w.WrittenSpan.ToArray();
        w.Clear();
        w.WriteInt(1); w.WriteBool(false); w.WriteInt(0); w.WriteString("/x");
        w.WriteInt(-1); w.WriteBool(true); w.WriteInt(-1);
        var multi = w.WrittenSpan.ToArray();

        // The read-only byte is optional, so the connect response is complete one byte early.
        for (var n = 0; n < connect.Length - 1; n++) Assert.Throws<ProtocolException>(() => ConnectResponse.Read(new JuteReader(connect[..n])));
        for (var n = 0; n < children.Length; n++) Assert.Throws<ProtocolException>(() => new JuteReader(children[..n]).ReadStrings());
        for (var n = 0; n < multi.Length; n++) Assert.Throws<ProtocolException>(() => MultiResult.ReadAll(new JuteReader(multi[..n]), p => p));
    }

    [Fact]
    public async Task Random_streams_through_the_frame_reader_end_cleanly_or_in_a_protocol_error()
    {
        var random = new Random(7);
        for (var i = 0; i < 2_000; i++)
        {
            var bytes = new byte[random.Next(0, 256)];
            random.NextBytes(bytes);
            if (bytes.Length > 8 && random.Next(2) == 0) bytes[0] = bytes[1] = 0;
            var frames = new FrameReader(new MemoryStream(bytes), 4096);
            try
            {
                while (await frames.ReadFrameAsync() is { } frame)
                {
                    Assert.InRange(frame.Remaining, 0, 4096);
                    Decode(r => MultiResult.ReadAll(r, p => p), frame);
                }
            }
            catch (ProtocolException)
            {
            }
        }
    }

    [Fact]
    public void Random_replies_to_pending_requests_complete_them_or_are_protocol_errors()
    {
        var random = new Random(99);
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = new byte[random.Next(0, 80)];
            random.NextBytes(bytes);
            var request = new PendingRequest<(List<string>, Stat)>(OpCode.GetChildren2, "/p", _ => { }, r => (r.ReadStrings(), Stat.Read(r)));
            try
            {
                request.Complete(new ReplyHeader(1, 1, 0), new JuteReader(bytes));
                Assert.True(request.Task.IsCompletedSuccessfully);
            }
            catch (ProtocolException)
            {
                Assert.False(request.Task.IsCompleted);
            }
        }
    }

    private static void Decode(Func<JuteReader, object?> decode, byte[] bytes) => Decode(decode, new JuteReader(bytes));

    private static void Decode(Func<JuteReader, object?> decode, JuteReader reader)
    {
        try
        {
            decode(reader);
        }
        catch (ProtocolException)
        {
        }
    }
}
