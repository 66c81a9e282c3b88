using Padlock.Stores;

namespace Padlock.FileSystem;

/// <summary>
/// <see cref="IPrimitiveInspector"/> on files: the holders are the processes the kernel's lock table (<c>/proc/locks</c>,
/// Linux only) shows holding a semaphore's slot files, a reader-writer lock's main file (shared: a reader; exclusive: the
/// writer) or an election's lock file. Waiting on files is polling, which leaves no entry anywhere, so
/// <see cref="PrimitiveStatus.Waiters"/> is null (unknown); so are the tokens of permits and read holds, which no file
/// keeps per holder. Reading the table takes no lock, so inspecting never makes another process's try fail.
/// </summary>
public sealed partial class FileLockStore : IPrimitiveInspector
{
    /// <inheritdoc/>
    /// <remarks>Slots 0 to <paramref name="maxCount"/> - 1 are read, in slot order; no holder is shown where <c>/proc/locks</c> is unavailable.</remarks>
    public ValueTask<PrimitiveStatus> InspectSemaphoreAsync(string name, int maxCount, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        if (maxCount is < 1 or > SemaphoreLimits.MaxCount)
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"maxCount must be from 1 to {SemaphoreLimits.MaxCount}.");
        var counter = SemaphorePathFor(name);
        var holders = new List<PrimitiveEntry>();
        for (var slot = 0; slot < maxCount; slot++)
        {
            foreach (var (pid, _) in HoldersOf(SemaphoreCounterFile.SlotPath(counter, slot))) holders.Add(new PrimitiveEntry(FileLockHolders.Describe(pid)));
        }
        return ValueTask.FromResult(new PrimitiveStatus(name, holders, null));
    }

    /// <inheritdoc/>
    /// <remarks>A single writer's token is the last the lock granted (no read hold can be granted beside it); readers' tokens are not kept.</remarks>
    public ValueTask<PrimitiveStatus> InspectReaderWriterAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        var path = ReaderWriterPathFor(name);
        var holders = new List<PrimitiveEntry>();
        foreach (var (pid, exclusive) in HoldersOf(path))
        {
            long? token = exclusive ? FileIdentity.ReadCounter(ReaderWriterFiles.TokenPath(path)) : null;
            holders.Add(new PrimitiveEntry(FileLockHolders.Describe(pid), token, Mode: exclusive ? LockMode.Write : LockMode.Read));
        }
        return ValueTask.FromResult(new PrimitiveStatus(name, holders, null));
    }

    /// <inheritdoc/>
    /// <remarks>The leader is the record <see cref="GetLeaderAsync"/> reads, with the process holding the election's lock file.</remarks>
    public ValueTask<PrimitiveStatus> InspectElectionAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        var leader = ReadLeader(name);
        if (leader is null) return ValueTask.FromResult(new PrimitiveStatus(name, [], null));
        var pid = HoldersOf(ElectionPathFor(name)).FirstOrDefault(h => h.Exclusive).Pid;
        var owner = pid > 0 ? FileLockHolders.Describe(pid) : null;
        return ValueTask.FromResult(new PrimitiveStatus(name, [new PrimitiveEntry(owner, leader.Term, Value: leader.Value)], null));
    }

    private static List<(int Pid, bool Exclusive)> HoldersOf(string path)
        => FileIdentity.OfPath(path) is { } file ? FileLockHolders.HoldersOf(file) ?? [] : [];
}
