using System.Buffers.Binary;
using Padlock.Stores;

namespace Padlock.FileSystem;

/// <summary>
/// A file semaphore's NAME.sem: the last fencing token (8 bytes) and the maxCount in use (4 bytes, little-endian),
/// read and written under the file's own exclusive lock, held only for that update. Every grant goes through it, so
/// tokens strictly increase whichever slot a permit has.
/// </summary>
internal static class SemaphoreCounterFile
{
    internal static string SlotPath(string counterPath, int slot) => counterPath + "-" + slot.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The next token for a permit just taken in <paramref name="ourSlot"/>. When the file records another maxCount and
    /// any other slot of either count is held, the counts are in use together: <see cref="SemaphoreCountMismatchException"/>.
    /// When no other slot is held, the semaphore is idle and the new count replaces the old.
    /// </summary>
    internal static async ValueTask<long> NextTokenAsync(string counterPath, string name, int maxCount, int ourSlot, CancellationToken cancellationToken)
    {
        await using var file = await LockAsync(counterPath, cancellationToken).ConfigureAwait(false);
        var buf = new byte[12];
        var read = file.ReadAtLeast(buf, 12, throwOnEndOfStream: false);
        // A new file starts from the clock in microseconds, as the lock file does, so a deleted counter never repeats tokens.
        var token = read >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(buf) + 1 : (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        var inUse = read >= 12 ? BinaryPrimitives.ReadInt32LittleEndian(buf.AsSpan(8)) : 0;
        if (inUse > 0 && inUse != maxCount && AnyOtherSlotHeld(counterPath, Math.Max(inUse, maxCount), ourSlot))
            throw new SemaphoreCountMismatchException(name, maxCount, inUse);
        BinaryPrimitives.WriteInt64LittleEndian(buf, token);
        BinaryPrimitives.WriteInt32LittleEndian(buf.AsSpan(8), maxCount);
        file.Position = 0;
        file.Write(buf);
        file.Flush();
        return token;
    }

    // Under the counter lock, so no other client is between taking a slot and recording its count. Probing takes each
    // free slot for an instant, which can make another client's try of that slot fail once; it then tries the next one.
    private static bool AnyOtherSlotHeld(string counterPath, int slots, int ourSlot)
    {
        for (var i = 0; i < slots; i++)
        {
            if (i == ourSlot) continue;
            try
            {
                using var probe = new FileStream(SlotPath(counterPath, i), FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 0);
            }
            catch (FileNotFoundException)
            {
            }
            catch (IOException ex) when (FileLockStore.IsSharingViolation(ex))
            {
                return true;
            }
        }
        return false;
    }

    // The counter lock is held for one read and one write, so a short retry loop is enough.
    internal static async ValueTask<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            }
            catch (IOException ex) when (FileLockStore.IsSharingViolation(ex))
            {
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
