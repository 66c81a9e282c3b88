using Microsoft.Extensions.Time.Testing;
using Padlock.Stores;
using Padlock.Testing;
using Xunit;

namespace Padlock.Tests.Core;

/// <summary>Lease renewal on a fake clock: expiry behaviour is checked in milliseconds, not by sleeping through leases.</summary>
public sealed class LeaseRenewalTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Successful_renewals_keep_the_hold_past_several_leases()
    {
        var time = new FakeTimeProvider();
        var renewals = 0;
        await using var r = new LeaseRenewal(Lease, Interval, Margin, time.GetTimestamp(), _ => { Interlocked.Increment(ref renewals); return ValueTask.FromResult(true); }, time);
        for (var i = 0; i < 12; i++) await Advance(time, Interval);
        Assert.False(r.LostToken.IsCancellationRequested);
        Assert.True(Volatile.Read(ref renewals) >= 10, $"only {renewals} renewals in 120 s at a 10 s cadence");
    }

    [Fact]
    public async Task Store_saying_not_ours_is_an_immediate_loss()
    {
        var time = new FakeTimeProvider();
        await using var r = new LeaseRenewal(Lease, Interval, Margin, time.GetTimestamp(), _ => ValueTask.FromResult(false), time);
        await Task.Delay(50); // let the loop arm its first timer before the clock moves
        await Advance(time, Interval + TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => r.LostToken.IsCancellationRequested, "LostToken fired");
    }

    [Fact]
    public async Task Failing_renewals_declare_loss_before_the_lease_ends_not_after()
    {
        var time = new FakeTimeProvider();
        await using var r = new LeaseRenewal(Lease, Interval, Margin, time.GetTimestamp(), _ => throw new TimeoutException("store down"), time);
        await Advance(time, Lease - Margin - TimeSpan.FromSeconds(1));
        Assert.False(r.LostToken.IsCancellationRequested);
        await Advance(time, TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => r.LostToken.IsCancellationRequested, "LostToken fired");
    }

    [Fact]
    public async Task A_renewal_that_hangs_cannot_hide_the_end_of_the_lease()
    {
        var time = new FakeTimeProvider();
        var hang = new TaskCompletionSource<bool>();
        await using var r = new LeaseRenewal(Lease, Interval, Margin, time.GetTimestamp(), _ => new ValueTask<bool>(hang.Task), time);
        await Advance(time, Lease - Margin);
        await Eventually.TrueAsync(() => r.LostToken.IsCancellationRequested, "LostToken fired");
        hang.SetResult(true);
    }

    [Fact]
    public async Task Disposing_stops_renewal_and_never_reports_a_loss_later()
    {
        var time = new FakeTimeProvider();
        var renewals = 0;
        var r = new LeaseRenewal(Lease, Interval, Margin, time.GetTimestamp(), _ => { Interlocked.Increment(ref renewals); return ValueTask.FromResult(true); }, time);
        await r.DisposeAsync();
        await r.DisposeAsync();
        await Advance(time, Lease * 3);
        Assert.False(r.LostToken.IsCancellationRequested);
        Assert.Equal(0, Volatile.Read(ref renewals));
    }

    [Fact]
    public async Task A_holder_resuming_past_its_lease_sees_the_loss_before_any_timer_runs()
    {
        // A paused process (GC, SIGSTOP) resumes with its clock moved on but its timers not yet run. The loss must show
        // on the first read of the token, or the holder makes one more write under a lease the store has dropped.
        var time = new StalledTimers();
        var renewals = 0;
        await using var r = new LeaseRenewal(Lease, Interval, Margin, time.GetTimestamp(), _ => { Interlocked.Increment(ref renewals); return ValueTask.FromResult(true); }, time);
        time.Skip(Lease - Margin - TimeSpan.FromSeconds(1));
        Assert.False(r.LostToken.IsCancellationRequested);
        time.Skip(TimeSpan.FromSeconds(1));
        Assert.True(r.LostToken.IsCancellationRequested);
        Assert.Equal(0, Volatile.Read(ref renewals)); // no timer ran: the read itself found the deadline passed
    }

    [Fact]
    public async Task A_renewal_answered_after_the_deadline_does_not_take_the_loss_back()
    {
        var time = new FakeTimeProvider();
        var reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var r = new LeaseRenewal(Lease, Interval, Margin, time.GetTimestamp(), _ => new ValueTask<bool>(reply.Task), time);
        await Advance(time, Lease); // the renewal sent at 10 s is still unanswered when the deadline (28 s) passes
        Assert.True(r.LostToken.IsCancellationRequested);
        reply.SetResult(true);
        await Task.Delay(50);
        Assert.True(r.LostToken.IsCancellationRequested);
    }

    [Fact]
    public void Inconsistent_timings_are_rejected()
    {
        Task<bool> Ok(CancellationToken _) => Task.FromResult(true);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeaseRenewal(TimeSpan.Zero, Interval, Margin, 0, c => new(Ok(c))));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeaseRenewal(Lease, Lease, Margin, 0, c => new(Ok(c))));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LeaseRenewal(Lease, Interval, Lease, 0, c => new(Ok(c))));
    }

    /// <summary>A clock that moves when told to while its timers never fire: a process just resumed from a pause.</summary>
    private sealed class StalledTimers : TimeProvider
    {
        private long _offset;

        public void Skip(TimeSpan by) => Interlocked.Add(ref _offset, (long)(by.TotalSeconds * TimestampFrequency));

        public override long GetTimestamp() => base.GetTimestamp() + Volatile.Read(ref _offset);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
            => new NeverFires();

        private sealed class NeverFires : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    // The renewal loop runs on the thread pool; give it a moment to observe each fake-time step.
    private static async Task Advance(FakeTimeProvider time, TimeSpan by)
    {
        var step = TimeSpan.FromMilliseconds(500);
        for (var done = TimeSpan.Zero; done < by; done += step)
        {
            time.Advance(by - done < step ? by - done : step);
            await Task.Delay(2);
        }
    }
}
