using System.Buffers.Binary;

namespace Padlock.FileSystem;

/// <summary>
/// The three files of a file reader-writer lock NAME.rw: the main file, locked shared (LOCK_SH) by each reader and
/// exclusively (LOCK_EX) by the writer; NAME.rw-intent, held exclusively by a writer while it waits, which readers must
/// be able to lock shared for an instant before they take the main file (so a waiting writer blocks later readers);
/// and NAME.rw-token, the fencing counter, updated under its own exclusive lock (readers cannot write the main file
/// they share). None of them is ever deleted.
/// </summary>
internal static class ReaderWriterFiles
{
    internal static string IntentPath(string mainPath) => mainPath + "-intent";

    internal static string TokenPath(string mainPath) => mainPath + "-token";

    /// <summary>A shared lock on <paramref name="path"/>, or null while someone holds it exclusively.</summary>
    /// <remarks>Read-only access: .NET then takes LOCK_SH even on NFS/SMB, where it skips shared locks opened for writing.</remarks>
    internal static FileStream? TryLockShared(string path, bool checkIdentity)
    {
        FileStream stream;
        try
        {
            // Any FileShare but None is LOCK_SH on Unix; on Windows, FileShare.Read admits other readers and refuses writers.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.Read, bufferSize: 0);
        }
        catch (IOException ex) when (FileLockStore.IsSharingViolation(ex))
        {
            return null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        if (!checkIdentity || FileIdentity.SamePath(stream.SafeFileHandle, path)) return stream;
        stream.Dispose();
        return null;
    }

    /// <summary>True when no writer waits: the intent file could be locked shared (and is let go at once).</summary>
    internal static bool NoWriterWaiting(string mainPath)
    {
        using var probe = TryLockShared(IntentPath(mainPath), checkIdentity: false);
        return probe is not null;
    }

    /// <summary>The next fencing token of the lock, for a hold just taken (read or write).</summary>
    internal static async ValueTask<long> NextTokenAsync(string mainPath, CancellationToken cancellationToken)
    {
        await using var file = await SemaphoreCounterFile.LockAsync(TokenPath(mainPath), cancellationToken).ConfigureAwait(false);
        var buf = new byte[8];
        var read = file.ReadAtLeast(buf, 8, throwOnEndOfStream: false);
        // A new file starts from the clock in microseconds, as the lock file does, so a deleted counter never repeats tokens.
        var token = read == 8 ? BinaryPrimitives.ReadInt64LittleEndian(buf) + 1 : (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        BinaryPrimitives.WriteInt64LittleEndian(buf, token);
        file.Position = 0;
        file.Write(buf);
        file.Flush();
        return token;
    }
}
