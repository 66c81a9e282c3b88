using Padlock.Redis.Keys;
using Padlock.Redis.Tests.Fixtures;
using Xunit;

namespace Padlock.Redis.Tests.Redlock;

/// <summary>Disposing a redlock:// provider loses its holds at once and deletes them on every master.</summary>
public sealed class RedlockDisposeTests(RedlockFixture fixture) : IClassFixture<RedlockFixture>
{
    private string Uri => $"redlock://{fixture.Endpoints}?lease=30s";

    [Fact]
    public async Task Disposing_the_provider_marks_its_holds_lost_and_frees_them_on_every_master()
    {
        var name = "redlock-dispose-" + Guid.NewGuid().ToString("N");
        var a = LockProvider.Create(Uri);
        await using var b = LockProvider.Create(Uri);
        var h = await a.CreateLock(name).AcquireAsync();

        await a.DisposeAsync();

        Assert.True(h.IsLost);
        Assert.True(h.LostToken.IsCancellationRequested);
        foreach (var admin in fixture.Admins)
            Assert.False(await admin.GetDatabase().KeyExistsAsync(LockKeys.For("padlock:", name).Lock));
        await using var taken = await b.CreateLock(name).TryAcquireAsync(TimeSpan.Zero);
        Assert.NotNull(taken);
        await h.DisposeAsync();
    }

    [Fact]
    public async Task A_waiter_of_a_disposed_provider_gets_ObjectDisposedException_at_once()
    {
        var name = "redlock-dispose-wait-" + Guid.NewGuid().ToString("N");
        await using var b = LockProvider.Create(Uri + "&fallback=10s");
        var a = LockProvider.Create(Uri + "&fallback=10s");
        await using var held = await b.CreateLock(name).AcquireAsync();
        await using (await a.CreateLock("redlock-warm-" + Guid.NewGuid().ToString("N")).AcquireAsync()) { }
        var waiting = a.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(60)).AsTask();
        // Let the waiter's first round fail and go to sleep (no state to probe: Redlock waiters leave nothing in Redis).
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);

        await a.DisposeAsync();

        // Well under the 10 s fallback check: the disposal itself ends the wait.
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
