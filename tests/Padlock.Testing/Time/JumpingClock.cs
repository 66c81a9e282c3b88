namespace Padlock.Testing.Time;

/// <summary>
/// A clock whose timestamps can jump ahead while its timers keep real time: the state of a process in the instant after
/// it resumes from a pause (a GC pause, SIGSTOP), when the monotonic clock has moved on but no timer has run yet.
/// </summary>
public sealed class JumpingClock : TimeProvider
{
    private long _offset;

    /// <summary>Moves every later timestamp forward by <paramref name="by"/>.</summary>
    public void Jump(TimeSpan by) => Interlocked.Add(ref _offset, (long)(by.TotalSeconds * TimestampFrequency));

    /// <inheritdoc/>
    public override long GetTimestamp() => base.GetTimestamp() + Volatile.Read(ref _offset);
}
