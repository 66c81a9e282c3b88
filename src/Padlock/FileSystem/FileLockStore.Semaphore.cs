using Padlock.Stores;

namespace Padlock.FileSystem;

/// <summary>
/// Counting semaphores on files: NAME.sem-0 .. NAME.sem-(N-1) are N slot files, each an OS file lock, so a permit is a
/// locked slot and a process that dies frees its permits. NAME.sem keeps the fencing counter and the maxCount in use
/// (<see cref="SemaphoreCounterFile"/>). Waiting is the lock's: woken by the release's touch of NAME.sem, with the poll
/// behind it. Not first come, first served across processes: whichever process looks first after a release gets the
/// slot (there is no turn file, whose fairness would cost a second lock per attempt); inside one process callers queue
/// FIFO in memory, and at most maxCount of them try the files at once.
/// </summary>
public sealed partial class FileLockStore
{
    /// <summary>The path of the counter file of semaphore <paramref name="name"/>; slot i is this path plus "-i".</summary>
    public string SemaphorePathFor(string name) => Path.Combine(Directory, LockFileNames.ForSemaphore(name));

    /// <inheritdoc/>
    public ValueTask<StoreLease?> TryAcquireSemaphoreAsync(string name, int maxCount, LockWait wait)
        // This process's callers queue in the in-process semaphore, which also refuses a second maxCount in this process.
        => LocalThenFilesAsync(wait, w => _local.TryAcquireSemaphoreAsync(name, maxCount, w), local =>
        {
            var counterPath = SemaphorePathFor(name);
            return PollAsync(local, wait, _ => TryTakeSlotAsync(name, maxCount, counterPath, local, wait), () => Path.GetFileName(counterPath));
        });

    // One attempt: the first free slot file, if any.
    private async ValueTask<StoreLease?> TryTakeSlotAsync(string name, int maxCount, string counterPath, StoreLease local, LockWait wait)
    {
        for (var slot = 0; slot < maxCount; slot++)
        {
            var slotPath = SemaphoreCounterFile.SlotPath(counterPath, slot);
            if (TryLockFile(slotPath) is not { } stream) continue;
            long token;
            try
            {
                token = await SemaphoreCounterFile.NextTokenAsync(counterPath, name, maxCount, slot, wait.CancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await stream.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return await _held.AdmitAsync(new FileLease(slotPath, stream, local, token, counterPath),
                () => new ObjectDisposedException(nameof(FileLockStore))).ConfigureAwait(false);
        }
        return null;
    }
}
