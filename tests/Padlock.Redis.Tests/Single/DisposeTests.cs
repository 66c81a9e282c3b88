using Padlock.Redis.Keys;
using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>
/// Disposing a redis:// provider loses its locks at once, as <see cref="ILockProvider"/> promises: every hold is
/// marked lost and its key deleted, so another provider gets the lock immediately rather than when the lease ends;
/// local waiters get <see cref="ObjectDisposedException"/>; a later release of a handle is harmless.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class DisposeTests(RedisFixture fixture)
{
    // The lease is long on purpose: a lock freed only by its expiry would still be held when B tries.
    private string Uri => $"redis://{fixture.Endpoint}?lease=30s";

    private static string NewName(string stem) => stem + "-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Disposing_the_provider_marks_its_holds_lost_and_frees_them_at_once()
    {
        var name = NewName("dispose-hold");
        var a = LockProvider.Create(Uri);
        await using var b = LockProvider.Create(Uri);
        var h = await a.CreateLock(name).AcquireAsync();

        await a.DisposeAsync();

        Assert.True(h.IsLost);
        Assert.True(h.LostToken.IsCancellationRequested);
        Assert.False(await fixture.Admin.GetDatabase().KeyExistsAsync(LockKeys.For("padlock:", name).Lock));
        await using var taken = await b.CreateLock(name).TryAcquireAsync(TimeSpan.Zero);
        Assert.NotNull(taken);
        // Releasing the lost handle afterwards neither throws nor touches B's hold.
        await h.DisposeAsync();
        Assert.Null(await LockProvider.Create(Uri).CreateLock(name).TryAcquireAsync(TimeSpan.Zero));
    }

    [Fact]
    public async Task Disposing_during_a_local_hand_off_fails_the_local_waiter_and_frees_the_key()
    {
        var name = NewName("dispose-cohort");
        var a = LockProvider.Create(Uri);
        await using var b = LockProvider.Create(Uri);
        var store = (RedisLockStore)a.Store;
        var holder = await a.CreateLock(name).AcquireAsync();
        // The second caller of the same store waits in the store's local line, for the key the store already holds.
        var waiting = SeparateFlow.Run(async () => await a.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(60)));
        await Eventually.TrueAsync(() => store.LocalWaiters(name) == 1, "one caller waits in the store's local line");

        await a.DisposeAsync();

        Assert.True(holder.IsLost);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        await using var taken = await b.CreateLock(name).TryAcquireAsync(TimeSpan.Zero);
        Assert.NotNull(taken);
        await holder.DisposeAsync();
    }

    [Fact]
    public async Task A_store_in_the_Redis_line_leaves_it_when_disposed_and_its_waiters_get_ObjectDisposedException()
    {
        var name = NewName("dispose-queued");
        var keys = LockKeys.For("padlock:", name);
        await using var b = LockProvider.Create(Uri);
        var a = LockProvider.Create(Uri);
        var held = await b.CreateLock(name).AcquireAsync();
        var waiting = SeparateFlow.Run(async () => await a.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(60)));
        var db = fixture.Admin.GetDatabase();
        await Eventually.TrueAsync(() => db.ListLength(keys.Queue) == 1, "one waiter in the Redis queue");

        await a.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, await db.ListLengthAsync(keys.Queue));
        await held.DisposeAsync();
        // With A's entry gone, nobody is in line: a zero-timeout try from a fresh store succeeds at once.
        await using var c = LockProvider.Create(Uri);
        await using var taken = await c.CreateLock(name).TryAcquireAsync(TimeSpan.Zero);
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task A_disposed_provider_refuses_new_calls_with_ObjectDisposedException()
    {
        var a = LockProvider.Create(Uri);
        await using (await a.CreateLock(NewName("dispose-warm")).AcquireAsync()) { }
        await a.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await a.CreateLock(NewName("dispose-after")).TryAcquireAsync());
    }
}
