using Padlock.Redis.Keys;
using Padlock.Redis.Scripts;
using Padlock.Redis.Tests.Fixtures;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>The scripts' hand-off, step by step on a real server: what a waiter sees when its wake-up message is lost.</summary>
[Collection(RedisCollection.Name)]
public sealed class HandOffScriptTests(RedisFixture fixture)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private static readonly RedisChannel Wake = RedisChannel.Literal("padlock:wake");
    private const int Block = 256;

    [Fact]
    public async Task A_release_hands_the_lock_to_the_first_waiter_with_its_own_lease_and_the_next_token()
    {
        var db = fixture.Admin.GetDatabase();
        var keys = LockKeys.For("padlock:", "handoff-" + Guid.NewGuid().ToString("N"));
        var holder = OwnerTokens.New("holder", TimeSpan.FromSeconds(30));
        var first = OwnerTokens.New("first", TimeSpan.FromSeconds(3));
        var second = OwnerTokens.New("second", TimeSpan.FromSeconds(30));

        var holderFence = (await AcquireScript.RunAsync(db, keys, holder, TimeSpan.FromSeconds(30), join: true, Ttl, Block, Wake)).Fence;
        Assert.True(holderFence > 0);
        Assert.Equal(0, (await AcquireScript.RunAsync(db, keys, first, TimeSpan.FromSeconds(3), join: true, Ttl, Block, Wake)).Fence);
        Assert.Equal(0, (await AcquireScript.RunAsync(db, keys, second, TimeSpan.FromSeconds(30), join: true, Ttl, Block, Wake)).Fence);
        // A newcomer that does not wait is refused while others wait, and leaves nothing behind.
        Assert.Equal(0, (await AcquireScript.RunAsync(db, keys, OwnerTokens.New("newcomer", Ttl), Ttl, join: false, Ttl, Block, Wake)).Fence);
        Assert.Equal(2, await db.ListLengthAsync(keys.Queue));

        var (deleted, next, fence, othersQueued) = await ReleaseScript.RunAsync(db, keys, holder, TimeSpan.FromSeconds(30), Wake, false, Block);
        Assert.True(deleted);
        Assert.Equal(first, next);
        Assert.True(othersQueued); // second still waits
        // The next grant reserves its block above the whole of the holder's block.
        Assert.Equal(holderFence + Block, fence);
        Assert.Equal(first, (string?)await db.StringGetAsync(keys.Lock));
        Assert.InRange((await db.KeyTimeToLiveAsync(keys.Lock))!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(3));

        // The wake-up never arrived: the waiter's next check finds the lock already its own, with the same token.
        Assert.Equal(fence, (await AcquireScript.RunAsync(db, keys, first, TimeSpan.FromSeconds(3), join: true, Ttl, Block, Wake)).Fence);
        // The old holder's late release changes nothing.
        Assert.False((await ReleaseScript.RunAsync(db, keys, holder, TimeSpan.FromSeconds(30), Wake, false, Block)).Deleted);
        Assert.Equal(first, (string?)await db.StringGetAsync(keys.Lock));

        // A waiter that gives up while the lock is handed to it passes it on rather than keeping it.
        var handed = await ReleaseScript.RunAsync(db, keys, first, TimeSpan.FromSeconds(3), Wake, false, Block);
        Assert.Equal(second, handed.Next);
        var left = await ReleaseScript.RunAsync(db, keys, second, TimeSpan.FromSeconds(30), Wake, false, Block);
        Assert.True(left.Deleted);
        Assert.Null(left.Next);
        Assert.False(await db.KeyExistsAsync(keys.Lock));
        Assert.False(await db.KeyExistsAsync(keys.Queue));
    }
}
