using Xunit;

namespace Padlock.Testing.Contract;

/// <summary>
/// The behaviour every store with reader-writer locks (<see cref="Stores.IReaderWriterLockStore"/>) must show, run once
/// per store through its <see cref="LockStoreAdapter"/>: each provider it makes is a separate client of the store.
/// </summary>
public abstract partial class ReaderWriterContractTests : ContractTestBase
{

    /// <summary>A reader-writer lock name no other test uses.</summary>
    protected static string UniqueName() => $"rw-{Guid.NewGuid():N}";

    [Fact]
    public async Task Readers_overlap()
    {
        var name = UniqueName();
        await using var a = await NewProvider().CreateReaderWriterLock(name).TryAcquireReadAsync();
        var b = NewProvider().CreateReaderWriterLock(name).TryAcquireRead();
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Equal(name, a!.Name);
        Assert.True(b!.FencingToken > a.FencingToken, $"Read tokens {a.FencingToken} then {b.FencingToken}.");
        b.Dispose();
    }

    [Fact]
    public async Task A_writer_excludes_readers_and_writers_until_it_releases()
    {
        var name = UniqueName();
        var write = await NewProvider().CreateReaderWriterLock(name).AcquireWriteAsync(TimeSpan.FromSeconds(30));
        var other = NewProvider().CreateReaderWriterLock(name);
        Assert.Null(await other.TryAcquireReadAsync());
        Assert.Null(await other.TryAcquireWriteAsync());
        Assert.Null(other.TryAcquireRead(TimeSpan.FromMilliseconds(200)));
        var ex = await Assert.ThrowsAsync<TimeoutException>(async () => await other.AcquireWriteAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Contains(name, ex.Message);
        Assert.Contains("write", ex.Message);
        await write.DisposeAsync();
        await using var read = await other.TryAcquireReadAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(read);
        Assert.True(read!.FencingToken > write.FencingToken);
        // ...and a reader excludes a writer.
        Assert.Null(await NewProvider().CreateReaderWriterLock(name).TryAcquireWriteAsync());
    }

    [Fact]
    public async Task A_waiting_writer_blocks_a_later_reader_which_gets_the_lock_only_after_the_writer()
    {
        var name = UniqueName();
        var firstReader = await NewProvider().CreateReaderWriterLock(name).AcquireReadAsync(TimeSpan.FromSeconds(30));
        var writer = NewProvider().CreateReaderWriterLock(name).AcquireWriteAsync(TimeSpan.FromSeconds(60)).AsTask();
        await UntilWriterWaitsAsync(name);
        var laterReader = NewProvider().CreateReaderWriterLock(name).AcquireReadAsync(TimeSpan.FromSeconds(60)).AsTask();
        Assert.False(writer.IsCompleted, "The writer was granted while a reader held the lock.");
        await firstReader.DisposeAsync();
        var write = await writer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(laterReader.IsCompleted, "The later reader was granted beside the writer.");
        Assert.True(write.FencingToken > firstReader.FencingToken);
        await write.DisposeAsync();
        await using var read = await laterReader.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(read.FencingToken > write.FencingToken, $"The later reader's token {read.FencingToken} is not above the writer's {write.FencingToken}.");
    }

    [Fact]
    public async Task Fencing_tokens_strictly_increase_across_read_and_write_grants()
    {
        var name = UniqueName();
        var clients = new[] { NewProvider(), NewProvider() };
        long last = long.MinValue;
        for (var i = 0; i < 8; i++)
        {
            var rw = clients[i % 2].CreateReaderWriterLock(name);
            await using var h = i % 3 == 0 ? await rw.AcquireWriteAsync(TimeSpan.FromSeconds(30)) : await rw.AcquireReadAsync(TimeSpan.FromSeconds(30));
            Assert.True(h.FencingToken > last, $"Grant {i} got token {h.FencingToken}, not above {last}.");
            last = h.FencingToken;
        }
    }

    [Fact]
    public async Task Zero_timeout_and_timeout_leave_nothing_behind()
    {
        var name = UniqueName();
        var read = await NewProvider().CreateReaderWriterLock(name).AcquireReadAsync(TimeSpan.FromSeconds(30));
        var other = NewProvider().CreateReaderWriterLock(name);
        Assert.Null(await other.TryAcquireWriteAsync());
        Assert.Null(other.TryAcquireWrite(TimeSpan.FromMilliseconds(300)));
        // A writer that gave up does not hold back later readers.
        await using (var again = await NewProvider().CreateReaderWriterLock(name).TryAcquireReadAsync())
            Assert.NotNull(again);
        await read.DisposeAsync();
        await using var write = await NewProvider().CreateReaderWriterLock(name).TryAcquireWriteAsync();
        Assert.NotNull(write);
    }

    [Fact]
    public async Task Cancelling_a_waiting_writer_lets_the_readers_behind_it_in()
    {
        var name = UniqueName();
        await using var read = await NewProvider().CreateReaderWriterLock(name).AcquireReadAsync(TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource();
        var writer = NewProvider().CreateReaderWriterLock(name).AcquireWriteAsync(cancellationToken: cts.Token).AsTask();
        await UntilWriterWaitsAsync(name);
        var laterReader = NewProvider().CreateReaderWriterLock(name).AcquireReadAsync(TimeSpan.FromSeconds(60)).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer);
        // The reader behind the cancelled writer shares with the first reader: nothing of the writer is left.
        await using var got = await laterReader.WaitAsync(TimeSpan.FromSeconds(30));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await NewProvider().CreateReaderWriterLock(name).TryAcquireReadAsync(TimeSpan.FromSeconds(5), new CancellationToken(true)));
    }

    [Fact]
    public async Task A_second_acquire_by_the_holding_flow_fails_at_once_read_or_write()
    {
        var name = UniqueName();
        var provider = NewProvider();
        var rw = provider.CreateReaderWriterLock(name);
        var h = await rw.AcquireReadAsync();
        var started = DateTime.UtcNow;
        await Assert.ThrowsAsync<LockRecursionException>(async () => await rw.AcquireReadAsync(TimeSpan.FromSeconds(30)));
        await Assert.ThrowsAsync<LockRecursionException>(async () => await rw.AcquireWriteAsync(TimeSpan.FromSeconds(30)));
        Assert.Throws<LockRecursionException>(() => provider.CreateReaderWriterLock(name).TryAcquireWrite());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "The recursive acquire waited out its timeout.");
        // A lock and a semaphore of the same name are other names; another provider is another client.
        await using (var l = await provider.CreateLock(name).TryAcquireAsync()) Assert.NotNull(l);
        await using (var other = await NewProvider().CreateReaderWriterLock(name).TryAcquireReadAsync()) Assert.NotNull(other);
        await h.DisposeAsync();
        await using var again = await rw.TryAcquireWriteAsync();
        Assert.NotNull(again);
    }

    [Fact]
    public async Task Bad_arguments_are_argument_exceptions()
    {
        var rw = NewProvider().CreateReaderWriterLock(UniqueName());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await rw.TryAcquireReadAsync(TimeSpan.FromSeconds(-2)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await rw.AcquireWriteAsync(TimeSpan.FromSeconds(-2)));
        Assert.ThrowsAny<ArgumentException>(() => NewProvider().CreateReaderWriterLock(""));
    }

    /// <summary>
    /// Waits until a writer queues on <paramref name="name"/> while readers hold it: a state probe, since a new reader's
    /// single attempt is refused exactly when a writer waits (readers alone would let it share).
    /// </summary>
    protected async Task UntilWriterWaitsAsync(string name)
    {
        var probe = NewProvider().CreateReaderWriterLock(name);
        await Eventually.TrueAsync(async () =>
        {
            await using var h = await Task.Run(() => probe.TryAcquireReadAsync().AsTask());
            return h is null;
        }, "the writer waits, so that a new reader is refused");
    }
}
