using System.Buffers.Binary;
using System.Text;

namespace Padlock.ZooKeeper.Client.Jute;

/// <summary>
/// Reads jute records from one received frame. Every read is bounds-checked against the frame, and every length
/// field is checked against the bytes that remain before anything is allocated, so a hostile or corrupt frame costs at
/// most its own size and ends in a <see cref="ProtocolException"/>.
/// </summary>
internal sealed class JuteReader
{
    private readonly byte[] _buffer;
    private readonly int _end;
    private int _position;

    public JuteReader(byte[] buffer, int offset, int count)
    {
        if ((uint)offset > (uint)buffer.Length || (uint)count > (uint)(buffer.Length - offset))
            throw new ArgumentOutOfRangeException(nameof(count));
        _buffer = buffer;
        _position = offset;
        _end = offset + count;
    }

    public JuteReader(byte[] frame) : this(frame, 0, frame.Length) { }

    public int Remaining => _end - _position;

    public int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadLong() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    // The Java reader takes any non-zero byte as true; so do we.
    public bool ReadBool() => Take(1)[0] != 0;

    /// <summary>A jute buffer; null for length -1.</summary>
    public byte[]? ReadBuffer()
    {
        var length = ReadLength("buffer");
        return length < 0 ? null : Take(length).ToArray();
    }

    /// <summary>A jute ustring; null for length -1.</summary>
    public string? ReadString()
    {
        var length = ReadLength("string");
        if (length < 0) return null;
        try
        {
            return StrictUtf8.GetString(Take(length));
        }
        catch (DecoderFallbackException)
        {
            throw new ProtocolException("A string in a reply is not valid UTF-8.");
        }
    }

    /// <summary>A string that must not be null.</summary>
    public string ReadRequiredString() => ReadString() ?? throw new ProtocolException("A required string in a reply is null.");

    /// <summary>A vector of strings; a null vector reads as empty.</summary>
    public List<string> ReadStrings()
    {
        var count = ReadInt();
        if (count < -1) throw new ProtocolException($"A vector length of {count} in a reply is negative.");
        if (count <= 0) return [];
        // Each element takes at least its 4-byte length: a count beyond that cannot be honest.
        if (count > Remaining / 4) throw new ProtocolException($"A vector of {count} strings does not fit in the {Remaining} bytes left in the frame.");
        var list = new List<string>(count);
        for (var i = 0; i < count; i++) list.Add(ReadRequiredString());
        return list;
    }

    /// <summary>Fails unless the whole frame was consumed.</summary>
    public void EnsureEnd()
    {
        if (Remaining != 0) throw new ProtocolException($"A reply has {Remaining} unexpected bytes after its record.");
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private int ReadLength(string what)
    {
        var length = ReadInt();
        if (length < -1) throw new ProtocolException($"A {what} length of {length} in a reply is negative.");
        if (length > Remaining) throw new ProtocolException($"A {what} of {length} bytes does not fit in the {Remaining} bytes left in the frame.");
        return length;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _end - _position) throw new ProtocolException($"A reply ended early: {count} more bytes needed, {Remaining} left.");
        var span = _buffer.AsSpan(_position, count);
        _position += count;
        return span;
    }
}
