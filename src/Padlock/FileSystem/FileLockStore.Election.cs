using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using Padlock.Stores;

namespace Padlock.FileSystem;

/// <summary>
/// Leader elections on files. A campaign is the exclusive lock's acquire on NAME.el (its own namespace, with the same
/// turn file that makes hand-off between processes fair), and the leader then writes its term and value to
/// NAME.el-leader, a new file renamed into place so a reader never sees half a record. Who leads is that record, but
/// only while the kernel's lock table says NAME.el is locked and the record's term is the last token NAME.el granted:
/// the leader's process dying frees the flock, so it stops leading at once, and a record left by an earlier leader
/// (a late proclaim, a crash between grant and write) is never shown as the current one. Observers re-read when either
/// file changes (inotify) and at least every <see cref="ObserveRecheck"/>.
/// </summary>
public sealed partial class FileLockStore
{
    /// <summary>The longest an observer goes without re-reading the leader, whatever the file events say.</summary>
    internal static readonly TimeSpan ObserveRecheck = TimeSpan.FromMilliseconds(500);

    /// <summary>The path of election <paramref name="name"/>'s lock file; its leader record adds "-leader".</summary>
    public string ElectionPathFor(string name) => Path.Combine(Directory, LockFileNames.ForElection(name));

    /// <inheritdoc/>
    public ValueTask<StoreLease?> CampaignAsync(string name, string value, LockWait wait)
        // This process's campaigners queue in the in-process election first; the one at its head polls the files.
        => LocalThenFilesAsync(wait, w => _local.CampaignAsync(name, value, w), async local =>
        {
            var lease = await PollExclusiveAsync(ElectionPathFor(name), local, wait).ConfigureAwait(false);
            if (lease is null) return null;
            try
            {
                WriteLeader(name, lease.FencingToken, value);
            }
            catch
            {
                await lease.ReleaseAsync().ConfigureAwait(false);
                throw;
            }
            return lease;
        });

    /// <inheritdoc/>
    public ValueTask ProclaimAsync(string name, StoreLease leadership, string value, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // Only the flock's holder writes: while this lease holds NAME.el no other campaigner can lead.
        if (leadership is not FileLease { IsLive: true } lease)
        {
            leadership.MarkLost();
            throw new InvalidOperationException($"Election '{name}': this campaigner no longer leads, so it cannot proclaim.");
        }
        WriteLeader(name, lease.FencingToken, value);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<LeaderInfo?> GetLeaderAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(ReadLeader(name));
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<LeaderInfo?> ObserveAsync(string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = ElectionPathFor(name);
        EnsureSignal();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(_closed.Task.IsCompleted, this);
            // Armed before the read, so a change between the read and the wait is not missed.
            var signal = _signal;
            var changed = signal is null
                ? Task.CompletedTask
                : Task.WhenAny(signal.Arm(Path.GetFileName(path)), signal.Arm(Path.GetFileName(LeaderPath(path))));
            yield return ReadLeader(name);
            await Task.WhenAny(changed, Task.Delay(ObserveRecheck, _time, cancellationToken), _closed.Task).ConfigureAwait(false);
            if (signal is null) await Task.Delay(ObserveRecheck, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string LeaderPath(string electionPath) => electionPath + "-leader";

    private void WriteLeader(string name, long term, string value)
    {
        var path = LeaderPath(ElectionPathFor(name));
        var bytes = new byte[8 + Encoding.UTF8.GetByteCount(value)];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, term);
        Encoding.UTF8.GetBytes(value, bytes.AsSpan(8));
        var temp = $"{path}.{Environment.ProcessId}-{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
        FileChangeSignal.Touch(path); // a rename is no write: the touch is what wakes observers
    }

    private LeaderInfo? ReadLeader(string name)
    {
        var path = ElectionPathFor(name);
        var held = FileIdentity.OfPath(path) is { } file ? FileLockHolders.HolderOf(file) is not null : File.Exists(path) && IsHeldByProbe(path);
        if (!held) return null;
        byte[] record;
        try
        {
            record = File.ReadAllBytes(LeaderPath(path));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        if (record.Length < 8) return null;
        var term = BinaryPrimitives.ReadInt64LittleEndian(record);
        // Between a grant and its record, and after a late write of an earlier leader, the record is not the holder's.
        if (FileIdentity.ReadCounter(path) is { } granted && granted != term) return null;
        return new LeaderInfo(Encoding.UTF8.GetString(record, 8, record.Length - 8), term);
    }
}
