using System.Buffers.Binary;

namespace Padlock.Samples.Fencing;

/// <summary>
/// A file guarded by fencing tokens (what <c>padlock verify</c>'s register does): each operation takes the file
/// exclusively (flock on Linux) for its one step, reads the highest token stored in its first 8 bytes, refuses a
/// smaller one, and stores the caller's token with the data.
/// </summary>
public sealed class FencedFile(string path)
{
    /// <summary>Reads the data, claiming the file for <paramref name="token"/>.</summary>
    /// <exception cref="StaleFencingTokenException">A higher token has been here.</exception>
    public byte[] Read(long token) => Apply(token, null);

    /// <summary>Replaces the data under <paramref name="token"/>.</summary>
    /// <exception cref="StaleFencingTokenException">A higher token has been here.</exception>
    public void Write(ReadOnlySpan<byte> data, long token) => Apply(token, data.ToArray());

    private byte[] Apply(long token, byte[]? newData)
    {
        // FileShare.None: .NET takes flock(LOCK_EX) on the file for as long as the stream is open.
        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var content = new byte[file.Length];
        file.ReadExactly(content);
        var seen = content.Length >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(content) : 0;
        if (token < seen) throw new StaleFencingTokenException(token, path);
        var data = newData ?? (content.Length >= 8 ? content[8..] : []);
        var updated = new byte[8 + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(updated, token);
        data.CopyTo(updated, 8);
        file.Position = 0;
        file.Write(updated);
        file.SetLength(updated.Length);
        return data;
    }
}
