using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>
/// A wait in the server's queue is bounded by the caller's timeout and token only, never by Npgsql's command timeout
/// (default 30 s; 2 s here so that the test is short): a waiter queued longer than that still waits, then is granted.
/// </summary>
[Collection("postgres")]
public sealed class PostgresLongWaitTests(PostgresFixture fixture)
{
    // "semaphore-line": a second semaphore waiter, which waits in the line lock behind the head waiter.
    public static TheoryData<string> Primitives => ["lock", "semaphore", "semaphore-line", "read", "write", "election"];

    [Theory]
    [MemberData(nameof(Primitives))]
    public async Task A_wait_longer_than_the_command_timeout_goes_on_waiting_until_granted(string primitive)
    {
        var uri = fixture.Uri("&Command%20Timeout=2");
        var name = "long-" + Guid.NewGuid().ToString("N");
        await using var p1 = LockProvider.Create(uri);
        await using var p2 = LockProvider.Create(uri);
        await using var p3 = LockProvider.Create(uri);
        var held = await AcquireAsync(p1, primitive, name, "holder");
        Task<ILockHandle>? head = null;
        if (primitive == "semaphore-line")
        {
            head = AcquireAsync(p3, primitive, name, "head");
            var (c, o) = AdvisoryKey.InPgLocks(new SemaphoreKeys(name, 1).Line);
            await Eventually.TrueAsync(async () => (await fixture.Server.PsqlAsync(
                $"SELECT count(*) FROM pg_locks WHERE granted AND locktype = 'advisory' AND objsubid = 1 AND classid = {c} AND objid = {o}")).Trim() == "1",
                "the first waiter holds the semaphore's line");
        }
        var waiting = AcquireAsync(p2, primitive, name, "waiter");
        // Three command timeouts: a wait cut by the command timeout has failed by now.
        await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(6)));
        Assert.False(waiting.IsCompleted, waiting.Exception?.InnerException?.Message ?? "granted while held");
        await held.DisposeAsync();
        if (head is not null) await (await head.WaitAsync(TimeSpan.FromSeconds(15))).DisposeAsync();
        await using var next = await waiting.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(next.FencingToken > held.FencingToken);
    }

    private static async Task<ILockHandle> AcquireAsync(ILockProvider p, string primitive, string name, string value)
    {
        var timeout = TimeSpan.FromSeconds(60);
        return primitive switch
        {
            "lock" => await p.CreateLock(name).AcquireAsync(timeout),
            "semaphore" or "semaphore-line" => await p.CreateSemaphore(name, 1).AcquireAsync(timeout),
            "read" when value == "holder" => await p.CreateReaderWriterLock(name).AcquireWriteAsync(timeout),
            "read" => await p.CreateReaderWriterLock(name).AcquireReadAsync(timeout),
            "write" => await p.CreateReaderWriterLock(name).AcquireWriteAsync(timeout),
            _ => await p.CreateElection(name).CampaignAsync(value, timeout),
        };
    }
}
