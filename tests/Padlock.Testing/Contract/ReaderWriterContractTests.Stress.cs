using Xunit;

namespace Padlock.Testing.Contract;

public abstract partial class ReaderWriterContractTests
{
    [Fact]
    public async Task Under_stress_writers_are_alone_and_readers_overlap()
    {
        const int tasks = 12, rounds = 6;
        var name = UniqueName();
        var clients = new[] { NewProvider(), NewProvider(), NewProvider() };
        int readers = 0, writers = 0, maxReaders = 0, violations = 0, counter = 0, writes = 0;
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(i => Task.Run(async () =>
        {
            var rw = clients[i % clients.Length].CreateReaderWriterLock(name);
            for (var k = 0; k < rounds; k++)
            {
                if ((i + k) % 4 == 0)
                {
                    await using var w = await rw.AcquireWriteAsync(TimeSpan.FromSeconds(120));
                    if (Interlocked.Increment(ref writers) != 1 || Volatile.Read(ref readers) != 0) Interlocked.Increment(ref violations);
                    var seen = counter; // a plain read-modify-write: only exclusion keeps it exact
                    await Task.Delay(2);
                    counter = seen + 1;
                    Interlocked.Increment(ref writes);
                    Interlocked.Decrement(ref writers);
                }
                else
                {
                    await using var r = await rw.AcquireReadAsync(TimeSpan.FromSeconds(120));
                    var now = Interlocked.Increment(ref readers);
                    InterlockedMax(ref maxReaders, now);
                    if (Volatile.Read(ref writers) != 0) Interlocked.Increment(ref violations);
                    await Task.Delay(5);
                    Interlocked.Decrement(ref readers);
                }
            }
        })));
        Assert.Equal(0, violations);
        Assert.Equal(writes, counter);
        // Not a mutex in disguise: readers holding 5 ms each overlap somewhere.
        Assert.True(maxReaders >= 2, $"Readers never overlapped (at most {maxReaders} at once).");
    }

    [Fact]
    public async Task Across_processes_a_waiting_writer_blocks_later_readers()
    {
        if (Adapter.CrossProcessUri is not { } uri) return; // mem:// lives in one process
        var name = UniqueName();
        var read = await NewProvider().CreateReaderWriterLock(name).AcquireReadAsync(TimeSpan.FromSeconds(30));
        // Readers of two processes share. Released, not killed: a killed holder's entry on a server store would stand
        // until its session or lease expired, and the writer below would wait for that.
        await using (var shared = await HolderProcess.AcquireReaderWriterAsync(uri, name, "read")) await shared.ReleaseAsync();
        // The other process queues as a writer; a reader that comes after it is refused while it waits.
        var writer = HolderProcess.AcquireReaderWriterAsync(uri, name, "write");
        await UntilWriterWaitsAsync(name);
        Assert.False(writer.IsCompleted, "The other process's writer was granted beside a reader.");
        await read.DisposeAsync();
        await using var holder = await writer.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(holder.FencingToken > read.FencingToken);
        Assert.Null(await NewProvider().CreateReaderWriterLock(name).TryAcquireReadAsync());
        await holder.ReleaseAsync();
        await using var after = await NewProvider().CreateReaderWriterLock(name).TryAcquireReadAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(after);
        Assert.True(after!.FencingToken > holder.FencingToken);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
