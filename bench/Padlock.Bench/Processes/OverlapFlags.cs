using System.IO.MemoryMappedFiles;

namespace Padlock.Bench.Processes;

/// <summary>
/// One "in the critical section" flag per lock name in a file every worker process maps (MAP_SHARED), so exclusion
/// is checked across processes by the hardware, not by the lock under test: a holder sets its name's flag 0 → 1 right
/// after the grant and clears it 1 → 0 right before the release. A compare-and-swap that finds the other value means
/// two holders were inside at once.
/// </summary>
internal sealed unsafe class OverlapFlags : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly long* _flags;

    /// <summary>Maps the flags file <paramref name="path"/> (made by <see cref="Create"/>) of <paramref name="names"/> flags.</summary>
    public OverlapFlags(string path, int names)
    {
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, names * sizeof(long), MemoryMappedFileAccess.ReadWrite);
        _view = _file.CreateViewAccessor(0, names * sizeof(long));
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _flags = (long*)(p + _view.PointerOffset);
    }

    /// <summary>Writes a zeroed flags file for <paramref name="names"/> names.</summary>
    public static void Create(string path, int names)
    {
        using var f = new FileStream(path, FileMode.Create);
        f.SetLength(names * sizeof(long));
    }

    /// <summary>Marks name <paramref name="index"/> held; false when it already was (an overlap).</summary>
    public bool Enter(int index) => Interlocked.CompareExchange(ref _flags[index], 1, 0) == 0;

    /// <summary>Marks name <paramref name="index"/> free; false when it was not marked held (an overlap cleared it).</summary>
    public bool Exit(int index) => Interlocked.CompareExchange(ref _flags[index], 0, 1) == 1;

    /// <inheritdoc/>
    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
