using Padlock.Stores;

namespace Padlock.FileSystem;

/// <summary>
/// Reader-writer locks on files (<see cref="ReaderWriterFiles"/>): a reader holds a shared OS lock on NAME.rw, the writer
/// an exclusive one, so a process that dies frees its holds. A writer that has to wait first takes NAME.rw-intent
/// exclusively and keeps it until it holds the main file; a reader takes the main file only after finding the intent
/// file free, so a waiting writer blocks the readers that come after it. Inside one process callers queue in the
/// in-process reader-writer line first (FIFO with the same writer rule); across processes the order among writers, and
/// among readers behind a writer, is whoever looks first after a release (waiting polls, woken by releases).
/// </summary>
public sealed partial class FileLockStore
{
    /// <summary>The path of the main file of reader-writer lock <paramref name="name"/>; the intent and token files add "-intent" and "-token".</summary>
    public string ReaderWriterPathFor(string name) => Path.Combine(Directory, LockFileNames.ForReaderWriter(name));

    /// <inheritdoc/>
    public ValueTask<StoreLease?> TryAcquireReaderWriterAsync(string name, LockMode mode, LockWait wait)
        // This process's callers queue in the in-process line, which also validates the mode.
        => LocalThenFilesAsync(wait, w => _local.TryAcquireReaderWriterAsync(name, mode, w), local => PollReaderWriterAsync(name, mode, local, wait));

    private async ValueTask<StoreLease?> PollReaderWriterAsync(string name, LockMode mode, StoreLease local, LockWait wait)
    {
        var path = ReaderWriterPathFor(name);
        FileStream? intent = null;
        try
        {
            return await PollAsync(local, wait, _ => TryHoldAsync(path, mode, local, wait, intent), () => Path.GetFileName(path), () =>
            {
                // A writer about to wait announces itself, so readers that come from now on wait behind it.
                if (mode == LockMode.Write) intent ??= TryLockFile(ReaderWriterFiles.IntentPath(path), checkIdentity: false);
            }).ConfigureAwait(false);
        }
        finally
        {
            if (intent is not null)
            {
                intent.Dispose();
                FileChangeSignal.Touch(path); // readers held back by our intent may go now
            }
        }
    }

    // One attempt on the main file. A writer that holds no intent yet may still win at once (nobody holds or waits:
    // the intent file is free, checked as readers check it); a reader needs the intent file free.
    private async ValueTask<StoreLease?> TryHoldAsync(string path, LockMode mode, StoreLease local, LockWait wait, FileStream? intent)
    {
        if (intent is null && !ReaderWriterFiles.NoWriterWaiting(path)) return null;
        var stream = mode == LockMode.Write ? TryLockFile(path) : ReaderWriterFiles.TryLockShared(path, checkIdentity: true);
        if (stream is null) return null;
        long token;
        try
        {
            token = await ReaderWriterFiles.NextTokenAsync(path, wait.CancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return await _held.AdmitAsync(new FileLease(path, stream, local, token),
            () => new ObjectDisposedException(nameof(FileLockStore))).ConfigureAwait(false);
    }
}
