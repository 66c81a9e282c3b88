using System.Buffers.Binary;
using System.Text;

namespace Padlock.ZooKeeper.Client.Jute;

/// <summary>
/// Writes jute records big-endian into a growable buffer, framed: <see cref="BeginFrame"/> reserves the 4-byte length
/// and <see cref="EndFrame"/> fills it in, so several frames can be batched into one socket write.
/// </summary>
internal sealed class JuteWriter
{
    private byte[] _buffer;
    private int _length;
    private int _frameStart = -1;

    public JuteWriter(int capacity = 256) => _buffer = new byte[capacity];

    public int Length => _length;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void Clear() => _length = 0;

    public void BeginFrame()
    {
        _frameStart = _length;
        WriteInt(0);
    }

    public void EndFrame()
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_frameStart), _length - _frameStart - 4);
        _frameStart = -1;
    }

    public void WriteInt(int value) => BinaryPrimitives.WriteInt32BigEndian(Grow(4), value);

    public void WriteLong(long value) => BinaryPrimitives.WriteInt64BigEndian(Grow(8), value);

    public void WriteBool(bool value) => Grow(1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>A jute buffer; null is written as length -1.</summary>
    public void WriteBuffer(ReadOnlySpan<byte> data, bool isNull = false)
    {
        if (isNull)
        {
            WriteInt(-1);
            return;
        }
        WriteInt(data.Length);
        data.CopyTo(Grow(data.Length));
    }

    /// <summary>A jute ustring: UTF-8 with an int length; null is length -1.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt(-1);
            return;
        }
        var count = Encoding.UTF8.GetByteCount(value);
        WriteInt(count);
        Encoding.UTF8.GetBytes(value, Grow(count));
    }

    public void WriteStrings(IReadOnlyCollection<string> values)
    {
        WriteInt(values.Count);
        foreach (var v in values) WriteString(v);
    }

    private Span<byte> Grow(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
