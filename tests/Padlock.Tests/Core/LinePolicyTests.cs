using Padlock.Stores;
using Xunit;

namespace Padlock.Tests.Core;

/// <summary>The decisions of the line recipes, without a store: the counting policies and the reader's shared one.</summary>
public sealed class LinePolicyTests
{
    private const LockMode R = LockMode.Read;
    private const LockMode W = LockMode.Write;

    [Fact]
    public void Counting_policies_decide_from_the_count_whatever_the_kinds()
    {
        Assert.Equal(new LineDecision(true, -1), LinePolicy.Exclusive.Decide([]));
        Assert.Equal(new LineDecision(false, 1), LinePolicy.Exclusive.Decide([R, R]));
        Assert.Equal(LinePolicy.Exclusive.Decide(2), LinePolicy.Exclusive.Decide([W, R]));
        Assert.Equal(new LineDecision(true, -1), LinePolicy.Semaphore(3).Decide([W, W]));
        Assert.Equal(new LineDecision(false, 0) { WatchCount = 3 }, LinePolicy.Semaphore(3).Decide([R, R, R]));
        Assert.True(LinePolicy.Semaphore(2).WouldHoldBehind(1));
        Assert.False(LinePolicy.Semaphore(2).WouldHoldBehind([R, R]));
    }

    [Fact]
    public void A_semaphore_waiter_watches_its_nearest_permits_entries_and_past_the_cap_the_whole_line()
    {
        // A holder may release out of line order: the waiter must hear of any of the nearest maxCount going.
        var four = LinePolicy.Semaphore(4).Decide(6);
        Assert.Equal((false, 2, 4, false), (four.Holds, four.WatchIndex, four.WatchCount, four.WatchesLine));
        var atCap = LinePolicy.Semaphore(LinePolicy.WatchCap).Decide(LinePolicy.WatchCap);
        Assert.Equal((0, LinePolicy.WatchCap, false), (atCap.WatchIndex, atCap.WatchCount, atCap.WatchesLine));
        var many = LinePolicy.Semaphore(LinePolicy.WatchCap + 1).Decide(LinePolicy.WatchCap + 3);
        Assert.Equal((false, 2, 0, true), (many.Holds, many.WatchIndex, many.WatchCount, many.WatchesLine));
        var most = LinePolicy.Semaphore(SemaphoreLimits.MaxCount).Decide(SemaphoreLimits.MaxCount);
        Assert.True(most.WatchesLine);
        // The lock and a reader watch one entry; a holder watches none.
        Assert.Equal((1, false), (LinePolicy.Exclusive.Decide(5).WatchCount, LinePolicy.Exclusive.Decide(5).WatchesLine));
        Assert.Equal(1, LinePolicy.Shared.Decide([W, R]).WatchCount);
        Assert.Equal((0, false), (LinePolicy.Semaphore(4).Decide(3).WatchCount, LinePolicy.Semaphore(4).Decide(3).WatchesLine));
    }

    [Fact]
    public void A_reader_holds_with_only_readers_below_and_watches_the_nearest_writer_otherwise()
    {
        var reader = LinePolicy.ReaderWriter(R);
        Assert.Same(LinePolicy.Shared, reader);
        Assert.Equal(new LineDecision(true, -1), reader.Decide([]));
        Assert.Equal(new LineDecision(true, -1), reader.Decide([R, R, R]));
        Assert.Equal(new LineDecision(false, 2), reader.Decide([W, R, W, R]));
        Assert.Equal(new LineDecision(false, 0), reader.Decide([W]));
        Assert.True(reader.WouldHoldBehind([R, R]));
        Assert.False(reader.WouldHoldBehind([R, W, R]));
    }

    [Fact]
    public void A_writer_is_the_exclusive_policy()
    {
        Assert.Same(LinePolicy.Exclusive, LinePolicy.ReaderWriter(W));
        Assert.Equal(new LineDecision(false, 2), LinePolicy.ReaderWriter(W).Decide([R, R, R]));
        Assert.Throws<ArgumentOutOfRangeException>(() => LinePolicy.ReaderWriter((LockMode)7));
    }

    [Fact]
    public void The_shared_policy_refuses_a_decision_from_a_count_alone()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => LinePolicy.Shared.Decide(3));
        Assert.Contains("IReadOnlyList<LockMode>", ex.Message);
        Assert.Throws<InvalidOperationException>(() => LinePolicy.Shared.WouldHoldBehind(3));
    }

    [Fact]
    public void A_store_without_reader_writer_locks_is_refused_naming_the_ones_that_have_them()
    {
        using var provider = new LockProvider(new NoReaderWriter());
        var ex = Assert.Throws<NotSupportedException>(() => provider.CreateReaderWriterLock("x"));
        Assert.Contains("IReaderWriterLockStore", ex.Message);
        Assert.Contains("file://", ex.Message);
    }

    private sealed class NoReaderWriter : ILockStore
    {
        public string Kind => "plain";

        public ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait) => ValueTask.FromResult<StoreLease?>(null);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
