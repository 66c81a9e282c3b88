using System.Buffers.Binary;

namespace Padlock.ZooKeeper.Client.Jute;

/// <summary>
/// Cuts a byte stream into length-prefixed frames. Reads as much as the socket offers into one buffer, so a burst of
/// pipelined replies costs one read. A negative length or one above <c>maxFrameLength</c> is a
/// <see cref="ProtocolException"/>: the buffer grows only for frames within the bound.
/// </summary>
internal sealed class FrameReader(Stream stream, int maxFrameLength)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>The next frame's payload; valid until the next call. Null at a clean end of stream between frames.</summary>
    public async ValueTask<JuteReader?> ReadFrameAsync(CancellationToken cancellationToken = default)
    {
        if (!await FillAsync(4, cancellationToken).ConfigureAwait(false)) return null;
        var length = BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(_start, 4));
        if (length < 0 || length > maxFrameLength)
            throw new ProtocolException($"A frame of length {length} is outside 0..{maxFrameLength} bytes.");
        if (!await FillAsync(4 + length, cancellationToken).ConfigureAwait(false))
            throw new ProtocolException($"The connection closed in the middle of a {length}-byte frame.");
        var reader = new JuteReader(_buffer, _start + 4, length);
        _start += 4 + length;
        return reader;
    }

    private async ValueTask<bool> FillAsync(int needed, CancellationToken cancellationToken)
    {
        if (_end - _start >= needed) return true;
        if (_start == _end) _start = _end = 0;
        if (_buffer.Length - _start < needed)
        {
            // Compact, and grow only when one frame needs more room than the whole buffer (bounded by the frame check).
            var target = _buffer.Length >= needed ? _buffer : new byte[Math.Max(needed, _buffer.Length * 2)];
            Buffer.BlockCopy(_buffer, _start, target, 0, _end - _start);
            _buffer = target;
            _end -= _start;
            _start = 0;
        }
        while (_end - _start < needed)
        {
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (_end == _start && needed == 4) return false;
                throw new ProtocolException($"The connection closed in the middle of a frame ({_end - _start} of {needed} bytes).");
            }
            _end += read;
        }
        return true;
    }
}
