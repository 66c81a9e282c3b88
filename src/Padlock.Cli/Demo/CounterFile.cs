using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Padlock.Cli.Demo;

/// <summary>
/// The shared resource of the cross-process demo: a number in an 8-byte file, read and written in place (no truncation,
/// so a racing reader never sees an empty file, only a stale number: the lost update the demo shows).
/// </summary>
internal sealed class CounterFile(string path) : IDisposable
{
    private readonly SafeFileHandle _handle = File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);

    public static void Reset(string path) => File.WriteAllBytes(path, new byte[8]);

    public long Read()
    {
        Span<byte> buf = stackalloc byte[8];
        return RandomAccess.Read(_handle, buf, 0) == 8 ? BinaryPrimitives.ReadInt64LittleEndian(buf) : 0;
    }

    public void Write(long value)
    {
        Span<byte> buf = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(buf, value);
        RandomAccess.Write(_handle, buf, 0);
    }

    public void Dispose() => _handle.Dispose();
}
