using Padlock.Redis.Keys;
using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>
/// A caller's first attempt takes a free key with plain pipelined commands (EXISTS queue, SET NX PX, INCRBY) instead of
/// the acquire script: it must still never let a newcomer past a live line whose holder's key is gone.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class FirstAttemptTests(RedisFixture fixture)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_newcomer_finding_the_key_free_behind_a_waiting_line_gives_it_to_the_head(bool newcomerWaits)
    {
        var name = "first-" + Guid.NewGuid().ToString("N");
        var uri = $"redis://{fixture.Endpoint}?lease=30s";
        var keys = LockKeys.For(new RedisLockOptions().KeyPrefix, name);
        var db = fixture.Admin.GetDatabase();
        await using var holderProvider = LockProvider.Create(uri);
        await using var headProvider = LockProvider.Create(uri);
        await using var newcomerProvider = LockProvider.Create(uri);
        // The plain-command path is taken once a script has run on the store (see RedisTurns.FirstAttemptAsync).
        await (await newcomerProvider.CreateLock(name + "-warm").AcquireAsync(Guard)).DisposeAsync();
        var held = await holderProvider.CreateLock(name).AcquireAsync(Guard);
        var headWaits = headProvider.CreateLock(name).AcquireAsync(Guard).AsTask();
        await Eventually.TrueAsync(async () => await db.ListLengthAsync(keys.Queue) == 1, "the head waits in the Redis line");
        // The holder dies: its key goes, as when its lease runs out, while the head still waits.
        await db.KeyDeleteAsync(keys.Lock);

        if (newcomerWaits)
        {
            var newcomerWaitsToo = newcomerProvider.CreateLock(name).AcquireAsync(Guard).AsTask();
            await using (var head = await headWaits.WaitAsync(Guard))
            {
                Assert.True(head.FencingToken > held.FencingToken);
                Assert.False(newcomerWaitsToo.IsCompleted, "the newcomer was granted while the head held the lock");
            }
            await using var newcomer = await newcomerWaitsToo.WaitAsync(Guard);
        }
        else
        {
            Assert.Null(await newcomerProvider.CreateLock(name).TryAcquireAsync());
            await using var head = await headWaits.WaitAsync(Guard);
            Assert.True(head.FencingToken > held.FencingToken);
        }
        await held.DisposeAsync();
    }
}
