using Padlock.Redis.Keys;
using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>What the Redis reader-writer lock keeps in Redis: one slot, a hold per holder with its own lease, a FIFO line that a release hands on, and nothing left behind.</summary>
[Collection(RedisCollection.Name)]
public sealed class ReaderWriterTests(RedisFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private readonly List<ILockProvider> _providers = [];

    private IDatabase Db => fixture.Admin.GetDatabase();

    private ILockProvider NewProvider(string query = "lease=6s&renew=1s")
    {
        var p = LockProvider.Create($"redis://{fixture.Endpoint}?{query}");
        lock (_providers) _providers.Add(p);
        return p;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _providers) await p.DisposeAsync();
    }

    private async Task<long> ServerNowMsAsync()
    {
        var time = (RedisResult[])(await Db.ExecuteAsync("TIME"))!;
        return (long)time[0] * 1000 + (long)time[1] / 1000;
    }

    [Fact]
    public void Every_key_of_one_name_is_in_the_locks_cluster_slot()
    {
        var lockSlot = fixture.Admin.HashSlot(LockKeys.For("padlock:", "a{b}c%").Lock);
        foreach (var keys in new[] { LineKeys.ReaderWriter("padlock:", "a{b}c%"), LineKeys.Election("padlock:", "a{b}c%") })
            Assert.All(keys.All, k => Assert.Equal(lockSlot, fixture.Admin.HashSlot(k)));
        Assert.NotEqual(LineKeys.ReaderWriter("padlock:", "x").HubTag, LineKeys.Election("padlock:", "x").HubTag);
    }

    [Fact]
    public async Task A_release_hands_the_lock_to_every_reader_up_to_the_next_writer_then_to_that_writer_alone()
    {
        // A 10 s fallback check: a waiter granted within 5 s was granted by the release's hand-off and its message.
        const string query = "lease=6s&renew=1s&fallback=10s";
        var name = $"rw-{Guid.NewGuid():N}";
        var keys = LineKeys.ReaderWriter("padlock:", name);
        var first = await NewProvider(query).CreateReaderWriterLock(name).AcquireWriteAsync(Long);
        var waiters = new List<(string Label, Task<ILockHandle> Task)>();
        foreach (var label in new[] { "r1", "r2", "w", "r3" })
        {
            var rw = NewProvider(query).CreateReaderWriterLock(name);
            waiters.Add((label, Task.Run(async () => label[0] == 'r' ? await rw.AcquireReadAsync(TimeSpan.FromSeconds(60)) : await rw.AcquireWriteAsync(TimeSpan.FromSeconds(60)))));
            var n = waiters.Count;
            await Eventually.TrueAsync(async () => await Db.ListLengthAsync(keys.Queue) == n, $"{label} in the line", Long);
        }
        await first.DisposeAsync();
        var r1 = await waiters[0].Task.WaitAsync(TimeSpan.FromSeconds(5));
        var r2 = await waiters[1].Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(waiters[2].Task.IsCompleted, "The writer was granted beside readers.");
        Assert.False(waiters[3].Task.IsCompleted, "The reader behind the waiting writer was granted before it.");
        Assert.True(r1.FencingToken > first.FencingToken && r2.FencingToken > r1.FencingToken);
        await r1.DisposeAsync();
        Assert.False(waiters[2].Task.IsCompleted, "The writer was granted beside a reader.");
        await r2.DisposeAsync();
        var w = await waiters[2].Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(w.FencingToken > r2.FencingToken);
        Assert.False(waiters[3].Task.IsCompleted, "A reader was granted beside the writer.");
        await w.DisposeAsync();
        await using var r3 = await waiters[3].Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(r3.FencingToken > w.FencingToken);
        foreach (var key in new[] { keys.Queue, keys.Deadlines, keys.Modes, keys.Writer }) Assert.False(await Db.KeyExistsAsync(key), $"{key} was left behind.");
    }

    [Fact]
    public async Task A_crashed_readers_hold_ends_with_its_lease()
    {
        // A crashed reader leaves exactly this: its entry, scored by its lease's end, never renewed again.
        var name = $"rw-{Guid.NewGuid():N}";
        var keys = LineKeys.ReaderWriter("padlock:", name);
        await Db.SortedSetAddAsync(keys.Readers, "dead/1500:crashed", await ServerNowMsAsync() + 1500);
        await Db.HashSetAsync(keys.Grants, "dead/1500:crashed", 1);
        var rw = NewProvider().CreateReaderWriterLock(name);
        Assert.Null(await rw.TryAcquireWriteAsync());
        await using var write = await rw.AcquireWriteAsync(TimeSpan.FromSeconds(20));
        Assert.False(await Db.HashExistsAsync(keys.Grants, "dead/1500:crashed"));
    }

    [Fact]
    public async Task A_waiter_that_stopped_checking_in_leaves_the_line_and_holds_nobody_back()
    {
        // A waiting writer whose process died: first in line, its check-in deadline passed.
        var name = $"rw-{Guid.NewGuid():N}";
        var keys = LineKeys.ReaderWriter("padlock:", name);
        await using var read = await NewProvider().CreateReaderWriterLock(name).AcquireReadAsync(Long);
        await Db.ListRightPushAsync(keys.Queue, "dead/6000:crashed");
        await Db.SortedSetAddAsync(keys.Deadlines, "dead/6000:crashed", await ServerNowMsAsync() - 1);
        await Db.HashSetAsync(keys.Modes, "dead/6000:crashed", "w");
        await using var second = await NewProvider().CreateReaderWriterLock(name).TryAcquireReadAsync();
        Assert.NotNull(second);
        Assert.False(await Db.KeyExistsAsync(keys.Queue));
        Assert.False(await Db.KeyExistsAsync(keys.Modes));
    }

    [Fact]
    public async Task A_holder_whose_entry_is_removed_is_told_it_lost_the_lock()
    {
        var name = $"rw-{Guid.NewGuid():N}";
        var keys = LineKeys.ReaderWriter("padlock:", name);
        var h = await NewProvider().CreateReaderWriterLock(name).AcquireReadAsync(Long);
        Assert.True(await Db.KeyDeleteAsync(keys.Readers));
        await Eventually.TrueAsync(() => h.LostToken.IsCancellationRequested, "the read hold's loss", TimeSpan.FromSeconds(10));
        await h.DisposeAsync();
    }

    [Fact]
    public async Task Timed_out_and_cancelled_waiters_leave_no_key_behind()
    {
        var name = $"rw-{Guid.NewGuid():N}";
        var keys = LineKeys.ReaderWriter("padlock:", name);
        var read = await NewProvider().CreateReaderWriterLock(name).AcquireReadAsync(Long);
        Assert.Null(await NewProvider().CreateReaderWriterLock(name).TryAcquireWriteAsync(TimeSpan.FromMilliseconds(300)));
        using var cts = new CancellationTokenSource();
        var cancelled = NewProvider().CreateReaderWriterLock(name).AcquireWriteAsync(cancellationToken: cts.Token).AsTask();
        await Eventually.TrueAsync(async () => await Db.ListLengthAsync(keys.Queue) == 1, "the writer in the line", Long);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        await read.DisposeAsync();
        foreach (var key in keys.All.Where(k => k != keys.Fence)) Assert.False(await Db.KeyExistsAsync(key), $"{key} was left behind.");
    }

    [Fact]
    public async Task Under_a_steady_stream_of_overlapping_readers_a_waiting_writer_gets_the_lock()
    {
        // Eight readers in two stores, each holding 100-300 ms and coming straight back, started at random moments:
        // some reader holds at almost every moment, so a lock that let readers in beside a waiting writer would keep
        // the writer out (it would see the few gaps only by chance) while reads went on.
        const int readerTasks = 8;
        var name = $"rw-{Guid.NewGuid():N}";
        var clients = new[] { NewProvider(), NewProvider() };
        using var stop = new CancellationTokenSource();
        int reads = 0, readers = 0, overlapWithWriter = 0;
        var tasks = Enumerable.Range(0, readerTasks).Select(i => Task.Run(async () =>
        {
            var rw = clients[i % 2].CreateReaderWriterLock(name);
            await Task.Delay(Random.Shared.Next(300));
            while (!stop.IsCancellationRequested)
            {
                await using var r = await rw.AcquireReadAsync(TimeSpan.FromSeconds(60));
                Interlocked.Increment(ref readers);
                Interlocked.Increment(ref reads);
                await Task.Delay(100 + Random.Shared.Next(200));
                Interlocked.Decrement(ref readers);
            }
        })).ToArray();
        await Eventually.TrueAsync(() => Volatile.Read(ref reads) >= 30, "the readers flow", Long);
        var readsBefore = Volatile.Read(ref reads);
        int readsWhileWaiting;
        await using (var w = await NewProvider().CreateReaderWriterLock(name).AcquireWriteAsync(Long))
        {
            readsWhileWaiting = Volatile.Read(ref reads) - readsBefore;
            if (Volatile.Read(ref readers) != 0) Interlocked.Increment(ref overlapWithWriter);
            await Task.Delay(20);
            if (Volatile.Read(ref readers) != 0) Interlocked.Increment(ref overlapWithWriter);
        }
        await Eventually.TrueAsync(() => Volatile.Read(ref reads) >= readsBefore + readsWhileWaiting + readerTasks, "the readers flow again after the writer", Long);
        await stop.CancelAsync();
        await Task.WhenAll(tasks).WaitAsync(Long);
        Assert.Equal(0, overlapWithWriter);
        // Only reads already on their way when the writer queued may go first: at most one (two, if a release and the
        // next acquire both beat the writer's single round trip) per reader.
        Assert.True(readsWhileWaiting <= 2 * readerTasks, $"{readsWhileWaiting} reads were granted while the writer waited.");
    }

    [Fact]
    public void Redlock_refuses_reader_writer_locks_and_elections_naming_the_alternatives()
    {
        var p = LockProvider.Create("redlock://127.0.0.1:1,127.0.0.1:2,127.0.0.1:3");
        _providers.Add(p);
        foreach (var ex in new[] { Assert.Throws<NotSupportedException>(() => p.CreateReaderWriterLock("x")), Assert.Throws<NotSupportedException>(() => p.CreateElection("x")) })
        {
            Assert.Contains("redlock://", ex.Message);
            foreach (var alternative in new[] { "redis://", "zk://", "etcd://" }) Assert.Contains(alternative, ex.Message);
        }
    }
}
