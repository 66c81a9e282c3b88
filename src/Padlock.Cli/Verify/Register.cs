using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Padlock.Cli.Verify;

/// <summary>
/// The resource the verify clients update: a small file that verify never faults, each operation atomic under
/// flock(2), like one statement against a database row. A file rather than a server so the register needs nothing
/// installed and cannot itself lose data, pause or fail over during a run; a client frozen inside one operation (a few
/// microseconds) would only stall the others, never corrupt the count.
/// <para>
/// Fields: the value, the highest fencing token seen (on reads and writes: a resource that only checks writes lets a
/// paused holder's write land between a newer holder's read and write, losing an update), writes accepted, stale
/// operations rejected, stale writes accepted (unfenced mode), and the in-critical-section flag (client + 1, 0 none).
/// </para>
/// </summary>
internal sealed class Register : IDisposable
{
    private const int Fields = 8;
    private const int ValueAt = 0, SeenAt = 1, AcceptedAt = 2, RejectedAt = 3, StaleAcceptedAt = 4, FlagAt = 5;
    private readonly int _fd;
    private readonly long[] _f = new long[Fields];
    private readonly byte[] _buffer = new byte[Fields * 8];

    public Register(string path)
    {
        _fd = open(path, 0x42 /* O_RDWR | O_CREAT */, 0x1B6);
        if (_fd < 0) throw new IOException($"cannot open register {path}: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
    }

    /// <summary>A read-only snapshot of every field (verify reads the flag without the lock: a torn read only misaims a fault).</summary>
    public RegisterState Snapshot(bool locked = true)
    {
        if (locked) Lock();
        try
        {
            Load();
            return new RegisterState(_f[ValueAt], _f[SeenAt], _f[AcceptedAt], _f[RejectedAt], _f[StaleAcceptedAt], (int)_f[FlagAt] - 1);
        }
        finally
        {
            if (locked) Unlock();
        }
    }

    /// <summary>Enters the critical section (sets the flag) and reads the value. Fenced: a token below the highest seen is refused (null).</summary>
    public long? Read(int client, long token, bool fenced)
        => Atomically(() =>
        {
            _f[FlagAt] = client + 1;
            if (token < _f[SeenAt])
            {
                if (fenced)
                {
                    _f[RejectedAt]++;
                    return (long?)null;
                }
            }
            else
            {
                _f[SeenAt] = token;
            }
            return _f[ValueAt];
        });

    /// <summary>Writes the value. Fenced: refused when the token is below the highest seen. Returns "ok", "stale-accepted" or "rejected".</summary>
    public string Write(long value, long token, bool fenced)
        => Atomically(() =>
        {
            var stale = token < _f[SeenAt];
            if (stale && fenced)
            {
                _f[RejectedAt]++;
                return "rejected";
            }
            _f[ValueAt] = value;
            _f[AcceptedAt]++;
            if (stale) _f[StaleAcceptedAt]++;
            else _f[SeenAt] = token;
            return stale ? "stale-accepted" : "ok";
        });

    /// <summary>Marks the client inside (a shared hold: the flag names the last holder in, which is enough to aim a fault).</summary>
    public void Enter(int client)
        => Atomically(() =>
        {
            _f[FlagAt] = client + 1;
            return 0;
        });

    /// <summary>Adds one to the value in one step (a shared hold's update, which no other holder can interleave). Returns "ok".</summary>
    public string Add()
        => Atomically(() =>
        {
            _f[ValueAt]++;
            _f[AcceptedAt]++;
            return "ok";
        });

    /// <summary>Leaves the critical section: clears the flag if it is still this client's.</summary>
    public void Leave(int client)
        => Atomically(() =>
        {
            if (_f[FlagAt] == client + 1) _f[FlagAt] = 0;
            return 0;
        });

    public void Dispose() => _ = close(_fd);

    private T Atomically<T>(Func<T> change)
    {
        Lock();
        try
        {
            Load();
            var result = change();
            for (var i = 0; i < Fields; i++) BitConverter.TryWriteBytes(_buffer.AsSpan(i * 8), _f[i]);
            if (pwrite(_fd, _buffer, _buffer.Length, 0) != _buffer.Length)
                throw new IOException("register write failed: " + new Win32Exception(Marshal.GetLastPInvokeError()).Message);
            return result;
        }
        finally
        {
            Unlock();
        }
    }

    private void Load()
    {
        Array.Clear(_buffer);
        if (pread(_fd, _buffer, _buffer.Length, 0) < 0)
            throw new IOException("register read failed: " + new Win32Exception(Marshal.GetLastPInvokeError()).Message);
        for (var i = 0; i < Fields; i++) _f[i] = BitConverter.ToInt64(_buffer, i * 8);
    }

    private void Lock()
    {
        // EINTR (a signal such as SIGCONT arriving while blocked) is retried.
        while (flock(_fd, 2 /* LOCK_EX */) != 0)
        {
            if (Marshal.GetLastPInvokeError() != 4) throw new IOException("register lock failed: " + new Win32Exception(Marshal.GetLastPInvokeError()).Message);
        }
    }

    private void Unlock() => _ = flock(_fd, 8 /* LOCK_UN */);

#pragma warning disable SYSLIB1054 // a plain DllImport keeps the project free of unsafe code
    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(int fd, int operation);

    [DllImport("libc", SetLastError = true)]
    private static extern nint pread(int fd, byte[] buffer, nint count, long offset);

    [DllImport("libc", SetLastError = true)]
    private static extern nint pwrite(int fd, byte[] buffer, nint count, long offset);
#pragma warning restore SYSLIB1054
}

/// <summary>The register's fields at one moment. <paramref name="InsideClient"/> is -1 when nobody is inside.</summary>
internal sealed record RegisterState(long Value, long HighestToken, long WritesAccepted, long StaleRejected, long StaleWritesAccepted, int InsideClient);
