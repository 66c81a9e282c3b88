using Padlock.Stores;

namespace Padlock.FileSystem;

/// <summary>
/// The acquire every file primitive shares: this process's callers queue in the in-process store first (FIFO, and only
/// the one at the head touches the files), then the head polls the files, woken by a release's touch of the file it
/// watches, with a doubling poll behind it. What differs per primitive is one attempt on its files.
/// </summary>
public sealed partial class FileLockStore
{
    /// <summary>The state of one poll an attempt may reset: the pause before the next look, and the wake-up armed for it.</summary>
    private sealed class FilePoll
    {
        public TimeSpan Pause = TimeSpan.FromMilliseconds(1);
        public Task? Wake;
    }

    /// <summary>
    /// Takes the in-process place with <paramref name="local"/> (null: not acquired), then runs <paramref name="files"/>
    /// with it; whatever fails gives the in-process place back.
    /// </summary>
    private async ValueTask<StoreLease?> LocalThenFilesAsync(LockWait wait, Func<LockWait, ValueTask<StoreLease?>> local, Func<StoreLease, ValueTask<StoreLease?>> files)
    {
        ArgumentNullException.ThrowIfNull(wait);
        ObjectDisposedException.ThrowIf(_closed.Task.IsCompleted, this);
        var place = await local(wait).ConfigureAwait(false);
        if (place is null) return null;
        try
        {
            return await files(place).ConfigureAwait(false);
        }
        catch
        {
            await place.ReleaseAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs <paramref name="attempt"/> until it returns a hold or the wait ends (then the in-process place
    /// <paramref name="local"/> is given back and the result is null). Between attempts it waits for a change of the file
    /// <paramref name="watched"/> names, the pause, or the store's closing; <paramref name="beforeWait"/> runs before each wait.
    /// </summary>
    private async ValueTask<StoreLease?> PollAsync(StoreLease local, LockWait wait, Func<FilePoll, ValueTask<StoreLease?>> attempt, Func<string> watched, Action? beforeWait = null)
    {
        var poll = new FilePoll();
        while (true)
        {
            // Armed before the attempt, so a release between a failed attempt and the wait still wakes us.
            poll.Wake = _signal?.Arm(watched());
            if (await attempt(poll).ConfigureAwait(false) is { } lease) return lease;
            if (wait.IsSingleAttempt || wait.Remaining == TimeSpan.Zero)
            {
                await local.ReleaseAsync().ConfigureAwait(false);
                return null;
            }
            beforeWait?.Invoke();
            if (poll.Wake is null && EnsureSignal()) continue; // first wait here: re-arm with the watcher running
            // An infinite wait has Remaining == InfiniteTimeSpan (-1 ms), which must not win the Min.
            var left = wait.Remaining;
            var delay = Task.Delay(left == Timeout.InfiniteTimeSpan ? poll.Pause : Min(poll.Pause, left), _time, wait.Token);
            // WhenAny never throws. Disposing the store ends every wait: a waiter of a closed store is never granted.
            await (poll.Wake is null ? Task.WhenAny(delay, _closed.Task) : Task.WhenAny(poll.Wake, delay, _closed.Task)).ConfigureAwait(false);
            ObjectDisposedException.ThrowIf(_closed.Task.IsCompleted, this);
            // Cancelled by the caller: throw. Timed out in the pause: one last attempt above, then give up.
            wait.ThrowIfCallerCancelled();
            poll.Pause = Min(poll.Pause * 2, _options.MaxPollInterval);
        }
    }
}
