using System.Globalization;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>The postgres:// semaphore against the server's own views: slots in pg_locks, a terminated holder, a clean line.</summary>
[Collection("postgres")]
public sealed class PostgresSemaphoreTests(PostgresFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static string SlotFilter(string name, int maxCount)
        => "locktype = 'advisory' AND objsubid = 1 AND (" + string.Join(" OR ", new SemaphoreKeys(name, maxCount).Slots.Select(k =>
        {
            var (c, o) = AdvisoryKey.InPgLocks(k);
            return string.Create(CultureInfo.InvariantCulture, $"(classid = {c} AND objid = {o})");
        })) + ")";

    private async Task<int> CountAsync(string where)
        => int.Parse((await fixture.Server.PsqlAsync($"SELECT count(*) FROM pg_locks WHERE {where}")).Trim(), CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_terminated_holders_permit_goes_to_the_waiter_without_a_notification()
    {
        var uri = fixture.Uri();
        await using var p1 = LockProvider.Create(uri);
        await using var p2 = LockProvider.Create(uri);
        var name = "semkill-" + Guid.NewGuid().ToString("N");
        var held = await p1.CreateSemaphore(name, 1).AcquireAsync(TimeSpan.FromSeconds(10));
        var waiting = p2.CreateSemaphore(name, 1).AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);
        var pid = ((PostgresLockStore)((LockProvider)p1).Store).Holds.Single().BackendPid;
        Assert.Equal("t", (await fixture.Server.PsqlAsync($"SELECT pg_terminate_backend({pid})")).Trim());
        // The session's end frees the slot but sends no NOTIFY: the head waiter's bounded re-check finds it.
        await using var next = await waiting.WaitAsync(Bound);
        Assert.True(next.FencingToken > held.FencingToken);
        await Task.Delay(Timeout.Infinite, held.LostToken).ContinueWith(_ => { }).WaitAsync(Bound);
        await held.DisposeAsync();
        Assert.False(next.IsLost);
    }

    [Fact]
    public async Task Timed_out_and_cancelled_waiters_leave_no_lock_in_pg_locks()
    {
        var uri = fixture.Uri();
        await using var holder = LockProvider.Create(uri);
        await using var other = LockProvider.Create(uri);
        await using var waiters = LockProvider.Create(uri);
        var name = "semclean-" + Guid.NewGuid().ToString("N");
        var held = await holder.CreateSemaphore(name, 2).AcquireAsync(TimeSpan.FromSeconds(10));
        await using var h2 = await other.CreateSemaphore(name, 2).AcquireAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, await CountAsync("granted AND " + SlotFilter(name, 2)));
        var s = waiters.CreateSemaphore(name, 2);
        var tasks = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400 + 50 * i));
            return await Record.ExceptionAsync(async () => await s.AcquireAsync(TimeSpan.FromMilliseconds(i % 2 == 0 ? 300 : 5000), cts.Token));
        })).ToArray();
        foreach (var ex in await Task.WhenAll(tasks)) Assert.True(ex is TimeoutException or OperationCanceledException, $"{ex?.GetType().Name ?? "a grant"}");
        // Only the two holders' sessions keep advisory locks of this name: their slot and the shared users key.
        var usersKey = AdvisoryKey.InPgLocks(new SemaphoreKeys(name, 2).Users);
        await Eventually.TrueAsync(async () => await CountAsync("NOT granted AND locktype = 'advisory'") == 0, "no waiting backend");
        Assert.Equal(2, await CountAsync(string.Create(CultureInfo.InvariantCulture, $"locktype = 'advisory' AND classid = {usersKey.ClassId} AND objid = {usersKey.ObjId}")));
        await held.DisposeAsync();
        await using var next = await waiters.CreateSemaphore(name, 2).TryAcquireAsync(TimeSpan.FromSeconds(5));
        Assert.NotNull(next);
    }
}
