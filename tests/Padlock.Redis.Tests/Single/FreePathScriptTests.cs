using Padlock.Redis.Keys;
using Padlock.Redis.Scripts;
using Padlock.Redis.Tests.Fixtures;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>
/// The acquire script's free path (EXISTS queue, SET NX PX, INCRBY) on a real server: it grants only a free key with
/// nobody waiting, and never lets a newcomer past a live queue whose holder's key expired.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class FreePathScriptTests(RedisFixture fixture)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly RedisChannel Wake = RedisChannel.Literal("padlock:wake");
    private const int Block = 256;

    [Fact]
    public async Task A_free_key_is_granted_with_a_new_block_and_a_second_attempt_by_the_holder_keeps_its_tokens()
    {
        var db = fixture.Admin.GetDatabase();
        var keys = LockKeys.For("padlock:", "free-" + Guid.NewGuid().ToString("N"));
        var a = OwnerTokens.New("a", Lease);

        var first = await AcquireScript.RunAsync(db, keys, a, Lease, join: false, Ttl, Block, Wake);
        Assert.Equal(1, first.Fence);
        Assert.False(first.OthersQueued);
        Assert.Equal(a, (string?)await db.StringGetAsync(keys.Lock));

        // Held by us already (a hand-off whose message was lost): same block, lease refreshed, no new tokens taken.
        await db.KeyExpireAsync(keys.Lock, TimeSpan.FromSeconds(2));
        var again = await AcquireScript.RunAsync(db, keys, a, Lease, join: true, Ttl, Block, Wake);
        Assert.Equal(first.Fence, again.Fence);
        Assert.InRange((await db.KeyTimeToLiveAsync(keys.Lock))!.Value, TimeSpan.FromSeconds(20), Lease);
        Assert.Equal(Block, (long)await db.StringGetAsync(keys.Fence));

        // Held by someone else: refused, the key untouched.
        var b = OwnerTokens.New("b", Lease);
        Assert.Equal(0, (await AcquireScript.RunAsync(db, keys, b, Lease, join: false, Ttl, Block, Wake)).Fence);
        Assert.Equal(a, (string?)await db.StringGetAsync(keys.Lock));

        // Released: the next free grant reserves the block above.
        Assert.True((await ReleaseScript.RunAsync(db, keys, a, Lease, Wake, false, Block)).Deleted);
        Assert.Equal(Block + 1, (await AcquireScript.RunAsync(db, keys, b, Lease, join: false, Ttl, Block, Wake)).Fence);
    }

    [Fact]
    public async Task A_key_that_expired_with_waiters_queued_goes_to_the_head_not_to_a_newcomer()
    {
        var db = fixture.Admin.GetDatabase();
        var keys = LockKeys.For("padlock:", "free-" + Guid.NewGuid().ToString("N"));
        var holder = OwnerTokens.New("holder", Lease);
        var head = OwnerTokens.New("head", Lease);

        var held = await AcquireScript.RunAsync(db, keys, holder, Lease, join: true, Ttl, Block, Wake);
        Assert.Equal(0, (await AcquireScript.RunAsync(db, keys, head, Lease, join: true, Ttl, Block, Wake)).Fence);
        // The holder dies: its key expires while the head still waits.
        await db.KeyDeleteAsync(keys.Lock);

        var newcomer = OwnerTokens.New("newcomer", Lease);
        Assert.Equal(0, (await AcquireScript.RunAsync(db, keys, newcomer, Lease, join: false, Ttl, Block, Wake)).Fence);
        Assert.False(await db.KeyExistsAsync(keys.Lock)); // the refused attempt set nothing

        var granted = await AcquireScript.RunAsync(db, keys, head, Lease, join: true, Ttl, Block, Wake);
        Assert.Equal(held.Fence + Block, granted.Fence);
        Assert.Equal(head, (string?)await db.StringGetAsync(keys.Lock));
        Assert.False(await db.KeyExistsAsync(keys.Queue));
    }
}
