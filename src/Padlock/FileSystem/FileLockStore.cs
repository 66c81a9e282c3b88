using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Padlock.InProcess;
using Padlock.Stores;

namespace Padlock.FileSystem;

/// <summary>
/// Locks shared by the processes of one machine (<c>file://DIR</c>), on the operating system's file locks: a process
/// that dies releases its locks with it. Each lock name has one file in the directory; the file also keeps the
/// fencing counter, so tokens keep increasing across restarts of every process.
/// </summary>
/// <remarks>
/// Waiters in this process queue in memory (first come, first served) and only the first of them polls the file.
/// </remarks>
public sealed partial class FileLockStore : ILockStore, ILockInspector, ISemaphoreStore, IReaderWriterLockStore, IElectionStore
{
    private readonly FileLockOptions _options;
    private readonly TimeProvider _time;
    private readonly InProcessLockStore _local;
    private readonly HeldLeases _held = new();
    private readonly ITimer _lossCheck;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FileChangeSignal? _signal;

    /// <summary>How long a waiter waits for its turn before it also tries the lock directly.</summary>
    internal static readonly TimeSpan TurnPatience = TimeSpan.FromSeconds(1);

    /// <summary>Creates the store; creates the directory when missing.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="LockStoreUnavailableException">The directory cannot be created (the message names it).</exception>
    /// <exception cref="NotSupportedException">.NET file locking is disabled in this process (DOTNET_SYSTEM_IO_DISABLEFILELOCKING).</exception>
    public FileLockStore(FileLockOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options?.Clone() ?? new FileLockOptions();
        _options.Validate();
        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true")
            throw new NotSupportedException("The file store needs .NET file locking, which DOTNET_SYSTEM_IO_DISABLEFILELOCKING turns off in this process.");
        Directory = Path.GetFullPath(_options.Directory);
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The file store's "cannot reach the store": callers catch it as they catch a server that does not answer.
            throw new LockStoreUnavailableException("file", [Directory], $"The lock directory {Directory} cannot be created: {ex.Message}", ex);
        }
        _time = timeProvider ?? TimeProvider.System;
        _local = new InProcessLockStore();
        _lossCheck = _time.CreateTimer(static s => ((FileLockStore)s!).CheckHeld(), this, _options.LossCheckInterval, _options.LossCheckInterval);
    }

    /// <summary>The full path of the lock directory.</summary>
    public string Directory { get; }

    /// <inheritdoc/>
    public string Kind => "file";

    /// <summary>The path of the lock file for <paramref name="name"/>.</summary>
    public string PathFor(string name) => Path.Combine(Directory, LockFileNames.For(name));

    /// <inheritdoc/>
    public ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait)
        => LocalThenFilesAsync(wait, w => _local.TryAcquireAsync(name, w), local => PollExclusiveAsync(PathFor(name), local, wait));

    // The exclusive hold of the file at path: a lock's NAME.lock, an election's NAME.el.
    private async ValueTask<StoreLease?> PollExclusiveAsync(string path, StoreLease local, LockWait wait)
    {
        var turnPath = Path.ChangeExtension(path, ".turn");
        // The turn file makes hand-off between processes fair: only the process holding it tries the lock file,
        // so a process that just released cannot take the lock straight back from those already waiting;
        // it has to queue for the turn like them. Exclusion itself rests on the lock file alone.
        FileStream? turn = null;
        var queuedAt = _time.GetTimestamp();
        try
        {
            return await PollAsync(local, wait, async poll =>
            {
                if (turn is null && (turn = TryLockFile(turnPath, checkIdentity: false)) is not null)
                {
                    poll.Pause = TimeSpan.FromMilliseconds(1); // first in line now: look at the lock often
                    poll.Wake = _signal?.Arm(Path.GetFileName(path));
                }
                // A process stopped (Ctrl-Z, a debugger) while holding the turn must not block the lock for good:
                // after TurnPatience in line, a waiter also tries the lock itself. A live turn holder is woken
                // the moment the lock is released, so it still wins nearly always.
                var patient = turn is null && _time.GetElapsedTime(queuedAt) >= TurnPatience;
                if ((turn is not null || patient) && TryLockFile(path) is { } stream)
                {
                    // Disposed while this attempt ran: the store no longer answers for holds, so it gives this one back.
                    return await _held.AdmitAsync(new FileLease(path, stream, local, NextToken(stream)),
                        () => new ObjectDisposedException(nameof(FileLockStore))).ConfigureAwait(false);
                }
                return null;
            }, () => Path.GetFileName(turn is null ? turnPath : path)).ConfigureAwait(false);
        }
        finally
        {
            if (turn is not null)
            {
                turn.Dispose();
                FileChangeSignal.Touch(turnPath); // the next process in line may take its turn
            }
        }
    }

    /// <summary>
    /// Who holds <paramref name="name"/>: the holding process (from the kernel's lock table, Linux only), the last
    /// token granted and when (the file is written at each grant). File locks have no lease and no visible queue.
    /// Inspecting takes no lock, so it never makes another process's try-lock fail.
    /// </summary>
    public ValueTask<LockStatus> InspectAsync(string name, CancellationToken cancellationToken = default)
    {
        LockNames.Validate(name);
        var path = PathFor(name);
        if (FileIdentity.OfPath(path) is not { } file)
            return ValueTask.FromResult(new LockStatus(name, IsHeld: File.Exists(path) && IsHeldByProbe(path)));
        var token = FileIdentity.ReadCounter(path);
        var pid = FileLockHolders.HolderOf(file);
        if (pid is null) return ValueTask.FromResult(new LockStatus(name, IsHeld: false, FencingToken: token));
        var command = FileLockHolders.CommandOf(pid.Value);
        return ValueTask.FromResult(new LockStatus(
            name,
            IsHeld: true,
            FencingToken: token,
            Owner: $"{Environment.MachineName}/{pid}" + (command is null ? "" : $" ({command})"),
            Since: File.GetLastWriteTimeUtc(path)));
    }

    /// <summary>
    /// The open lock file through which this store holds <paramref name="name"/>, or null when it does not hold it.
    /// For <c>padlock run</c>, which lets the command it starts inherit the descriptor, as flock(1) does, so the lock
    /// lives as long as the command even if padlock itself is killed.
    /// </summary>
    internal SafeFileHandle? HeldFile(string name)
    {
        var path = PathFor(name);
        return _held.Snapshot().OfType<FileLease>().FirstOrDefault(l => l.LockPath == path)?.Handle;
    }

    // Where the kernel's lock table cannot be read: a lock attempt tells, at the cost of briefly holding the lock.
    private static bool IsHeldByProbe(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, bufferSize: 0);
            return false;
        }
        catch (IOException ex) when (IsSharingViolation(ex))
        {
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    // The watcher is made on the first wait across processes, not with the store: each one costs an inotify instance,
    // and a store that never waits on another process has no use for it.
    private bool EnsureSignal()
    {
        if (_closed.Task.IsCompleted || Volatile.Read(ref _signal) is not null) return false;
        var signal = new FileChangeSignal(Directory);
        if (Interlocked.CompareExchange(ref _signal, signal, null) is not null) signal.Dispose();
        return true;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static FileStream? TryLockFile(string path, bool checkIdentity = true)
    {
        FileStream stream;
        try
        {
            // FileShare.None takes an exclusive flock on Unix and a share lock on Windows: exclusion across processes.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException ex) when (IsSharingViolation(ex))
        {
            return null;
        }
        catch (FileNotFoundException)
        {
            return null; // deleted between our open and create: try again
        }
        if (!checkIdentity || FileIdentity.SamePath(stream.SafeFileHandle, path)) return stream;
        // The file we locked was deleted (or replaced) after we opened it: the lock lives with the new file.
        stream.Dispose();
        return null;
    }

    // Unix reports a held flock as EWOULDBLOCK (11); Windows as ERROR_SHARING_VIOLATION / ERROR_LOCK_VIOLATION (0x80070020/21).
    // Any other I/O error (permissions, disk) is not "busy" and must surface rather than be retried until the timeout.
    internal static bool IsSharingViolation(IOException ex)
        => ex.HResult == 11 || ex.HResult is unchecked((int)0x80070020) or unchecked((int)0x80070021);

    private static long NextToken(FileStream stream)
    {
        Span<byte> buf = stackalloc byte[8];
        stream.Position = 0;
        var read = stream.ReadAtLeast(buf, 8, throwOnEndOfStream: false);
        // A new (or emptied) lock file starts from the clock in microseconds rather than 1: if a lock file is deleted
        // (a tmp cleaner, an administrator), its successor still hands out tokens above every earlier one, since no
        // file lock can be granted more than once per microsecond. Only a system clock stepped backwards breaks this.
        var token = read == 8
            ? BinaryPrimitives.ReadInt64LittleEndian(buf) + 1
            : (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        BinaryPrimitives.WriteInt64LittleEndian(buf, token);
        stream.Position = 0;
        stream.Write(buf);
        stream.Flush();
        return token;
    }

    private void CheckHeld()
    {
        foreach (var lease in _held.Snapshot())
        {
            if (lease is FileLease file && !file.StillOurs()) file.MarkLost();
        }
    }

    /// <summary>Releases every lock still held through this store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_closed.TrySetResult()) return;
        await _lossCheck.DisposeAsync().ConfigureAwait(false);
        Interlocked.Exchange(ref _signal, null)?.Dispose();
        await _held.CloseAsync().ConfigureAwait(false);
        await _local.DisposeAsync().ConfigureAwait(false);
    }

    // wakePath: the file whose change wakes this hold's waiters (a semaphore's slots all wake through its counter file).
    private sealed class FileLease(string path, FileStream stream, StoreLease local, long token, string? wakePath = null) : StoreLease
    {
        internal string LockPath => path;

        internal SafeFileHandle Handle => stream.SafeFileHandle;

        public override long FencingToken => token;

        internal bool StillOurs() => IsReleased || FileIdentity.SamePath(stream.SafeFileHandle, path);

        /// <summary>Whether this hold is live: not released, not lost, and its file still the one at its path.</summary>
        internal bool IsLive => !IsReleased && !IsLost && FileIdentity.SamePath(stream.SafeFileHandle, path);

        protected override async ValueTask ReleaseCoreAsync()
        {
            // Closing the file drops the OS lock. The file stays: it carries the fencing counter.
            await stream.DisposeAsync().ConfigureAwait(false);
            FileChangeSignal.Touch(wakePath ?? path); // after unlocking: wakes the waiter whose turn it is, in any process
            await local.ReleaseAsync().ConfigureAwait(false);
        }
    }
}
