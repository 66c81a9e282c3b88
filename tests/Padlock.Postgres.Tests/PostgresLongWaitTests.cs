using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>
/// A wait in the server's queue is bounded by the caller's timeout and token only, never by Npgsql's command timeout
/// (default 30 s; 2 s here so that the test is short): a waiter queued longer than that still waits, then is granted.
/// </summary>
[Collection("postgres")]
public sealed class PostgresLongWaitTests(PostgresFixture fixture)
{
    public static TheoryData<string> Primitives => ["lock", "semaphore", "read", "write", "election"];

    [Theory]
    [MemberData(nameof(Primitives))]
    public async Task A_wait_longer_than_the_command_timeout_goes_on_waiting_until_granted(string primitive)
    {
        var uri = fixture.Uri("&Command%20Timeout=2");
        var name = "long-" + Guid.NewGuid().ToString("N");
        await using var p1 = LockProvider.Create(uri);
        await using var p2 = LockProvider.Create(uri);
        var held = await AcquireAsync(p1, primitive, name, "holder");
        var waiting = AcquireAsync(p2, primitive, name, "waiter");
        // Three command timeouts: a wait cut by the command timeout has failed by now.
        await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(6)));
        Assert.False(waiting.IsCompleted, waiting.Exception?.InnerException?.Message ?? "granted while held");
        await held.DisposeAsync();
        await using var next = await waiting.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(next.FencingToken > held.FencingToken);
    }

    private static async Task<ILockHandle> AcquireAsync(ILockProvider p, string primitive, string name, string value)
    {
        var timeout = TimeSpan.FromSeconds(60);
        return primitive switch
        {
            "lock" => await p.CreateLock(name).AcquireAsync(timeout),
            "semaphore" => await p.CreateSemaphore(name, 1).AcquireAsync(timeout),
            "read" when value == "holder" => await p.CreateReaderWriterLock(name).AcquireWriteAsync(timeout),
            "read" => await p.CreateReaderWriterLock(name).AcquireReadAsync(timeout),
            "write" => await p.CreateReaderWriterLock(name).AcquireWriteAsync(timeout),
            _ => await p.CreateElection(name).CampaignAsync(value, timeout),
        };
    }
}
