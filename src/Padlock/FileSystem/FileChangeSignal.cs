using System.Collections.Concurrent;

namespace Padlock.FileSystem;

/// <summary>
/// Wakes waiters in this process when another process releases a lock in the directory. A release (and the hand-on of
/// the turn) touches the file's modification time after unlocking; the kernel reports that through inotify, which
/// <see cref="FileSystemWatcher"/> wraps. Opening or failing to lock a file does not touch it, so waiters polling
/// never wake each other. Where no watcher can be made (inotify instance limit, unsupported file system) waiting
/// falls back to polling alone; the bounded poll also covers an event that is lost.
/// </summary>
internal sealed class FileChangeSignal : IDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _armed = new(StringComparer.Ordinal);
    private readonly FileSystemWatcher? _watcher;

    internal FileChangeSignal(string directory)
    {
        try
        {
            _watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.LastWrite,
                IncludeSubdirectories = false,
            };
            _watcher.Changed += (_, e) => Fire(e.Name);
            _watcher.Error += (_, _) => FireAll(); // overflow: some events were dropped, so wake everyone to look
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    /// <summary>False when waiting can only poll here.</summary>
    internal bool IsWatching => _watcher is not null;

    /// <summary>
    /// A task that completes at the next change of <paramref name="fileName"/>. Arm it before trying the lock, then
    /// wait on it after the attempt fails: a release between the two is not missed.
    /// </summary>
    internal Task Arm(string fileName)
        => _armed.GetOrAdd(fileName, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Marks a file changed, after unlocking it, so that waiters in every process look again.</summary>
    internal static void Touch(string path)
    {
        try
        {
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Deleted or unwritable: waiters find out at their next poll.
        }
    }

    private void Fire(string? fileName)
    {
        if (fileName is not null && _armed.TryRemove(fileName, out var tcs)) tcs.TrySetResult();
    }

    private void FireAll()
    {
        foreach (var key in _armed.Keys) Fire(key);
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        FireAll();
    }
}
