using System.Globalization;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>
/// The postgres:// reader-writer lock against the server's own views: the order of the server's lock queue (a reader
/// waits there behind a waiting writer), a terminated reader, and waits that leave nothing behind.
/// </summary>
[Collection("postgres")]
public sealed class PostgresReaderWriterTests(PostgresFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static string Filter(string name)
    {
        var (c, o) = AdvisoryKey.InPgLocks(AdvisoryGrant.ReaderWriter(name, read: true).Key);
        return string.Create(CultureInfo.InvariantCulture, $"locktype = 'advisory' AND objsubid = 1 AND classid = {c} AND objid = {o}");
    }

    /// <summary>"mode:granted" of every entry of the name's key: holders first, then waiters in the order they queued.</summary>
    private async Task<string> QueueAsync(string name)
        => (await fixture.Server.PsqlAsync($"SELECT string_agg(mode || ':' || granted, ',' ORDER BY granted DESC, waitstart) FROM pg_locks WHERE {Filter(name)}")).Trim();

    [Fact]
    public async Task A_reader_arriving_while_a_writer_waits_queues_behind_it_in_the_servers_lock_queue()
    {
        var uri = fixture.Uri();
        var name = "rwq-" + Guid.NewGuid().ToString("N");
        await using var p = LockProvider.Create(uri);
        await using var q = LockProvider.Create(uri);
        await using var r = LockProvider.Create(uri);
        var read = await p.CreateReaderWriterLock(name).AcquireReadAsync(TimeSpan.FromSeconds(10));
        var writer = q.CreateReaderWriterLock(name).AcquireWriteAsync(TimeSpan.FromSeconds(60)).AsTask();
        await Eventually.TrueAsync(async () => await QueueAsync(name) == "ShareLock:true,ExclusiveLock:false", "the writer queues behind the reader");
        var laterReader = r.CreateReaderWriterLock(name).AcquireReadAsync(TimeSpan.FromSeconds(60)).AsTask();
        // The later reader waits in the server's queue (no polling), although the lock is only held shared.
        await Eventually.TrueAsync(async () => await QueueAsync(name) == "ShareLock:true,ExclusiveLock:false,ShareLock:false", "the later reader queues behind the writer");
        Assert.False(laterReader.IsCompleted);

        await read.DisposeAsync();
        var write = await writer.WaitAsync(Bound);
        Assert.Equal("ExclusiveLock:true,ShareLock:false", await QueueAsync(name));
        await write.DisposeAsync();
        await using var second = await laterReader.WaitAsync(Bound);
        Assert.True(read.FencingToken < write.FencingToken && write.FencingToken < second.FencingToken);
        Assert.Equal("ShareLock:true", await QueueAsync(name));
    }

    [Fact]
    public async Task A_terminated_readers_backend_fires_LostToken_and_the_waiting_writer_gets_the_lock()
    {
        var uri = fixture.Uri();
        var name = "rwkill-" + Guid.NewGuid().ToString("N");
        await using var p = LockProvider.Create(uri);
        await using var q = LockProvider.Create(uri);
        var read = await p.CreateReaderWriterLock(name).AcquireReadAsync(TimeSpan.FromSeconds(10));
        var writer = q.CreateReaderWriterLock(name).AcquireWriteAsync(TimeSpan.FromSeconds(60)).AsTask();
        await Eventually.TrueAsync(async () => await QueueAsync(name) == "ShareLock:true,ExclusiveLock:false", "the writer queues");
        var pid = ((PostgresLockStore)((LockProvider)p).Store).Holds.Single().BackendPid;
        Assert.Equal("t", (await fixture.Server.PsqlAsync($"SELECT pg_terminate_backend({pid})")).Trim());

        await using var write = await writer.WaitAsync(Bound);
        Assert.True(write.FencingToken > read.FencingToken);
        await Task.Delay(Timeout.Infinite, read.LostToken).ContinueWith(_ => { }).WaitAsync(Bound);
        await read.DisposeAsync();
        Assert.False(write.IsLost);
    }

    [Fact]
    public async Task Timed_out_and_cancelled_readers_and_writers_leave_nothing_in_pg_locks()
    {
        var uri = fixture.Uri();
        var name = "rwclean-" + Guid.NewGuid().ToString("N");
        await using var holder = LockProvider.Create(uri);
        await using var waiters = LockProvider.Create(uri);
        var write = await holder.CreateReaderWriterLock(name).AcquireWriteAsync(TimeSpan.FromSeconds(10));
        var rw = waiters.CreateReaderWriterLock(name);
        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500 + 50 * i));
            var timeout = TimeSpan.FromMilliseconds(i % 2 == 0 ? 300 : 5000);
            return await Record.ExceptionAsync(async () =>
            {
                if (i % 4 < 2) await rw.AcquireReadAsync(timeout, cts.Token);
                else await rw.AcquireWriteAsync(timeout, cts.Token);
            });
        })).ToArray();
        foreach (var ex in await Task.WhenAll(tasks)) Assert.True(ex is TimeoutException or OperationCanceledException, $"{ex?.GetType().Name ?? "a grant"}");
        await Eventually.TrueAsync(async () => await QueueAsync(name) == "ExclusiveLock:true", "only the writer's own entry remains");
        Assert.Equal("0", (await fixture.Server.PsqlAsync("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' OR state LIKE 'idle in transaction%'")).Trim());
        await write.DisposeAsync();
        await using var read = await waiters.CreateReaderWriterLock(name).TryAcquireReadAsync();
        Assert.NotNull(read);
    }
}
