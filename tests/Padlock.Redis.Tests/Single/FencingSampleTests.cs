using Padlock.Redis.Tests.Fixtures;
using Padlock.Samples.Fencing;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>docs/fencing.md's Redis script sample, with real tokens from the redis:// store on a real server.</summary>
[Collection(RedisCollection.Name)]
public sealed class FencingSampleTests(RedisFixture fixture)
{
    [Fact]
    public async Task A_stale_holder_can_neither_write_nor_read_then_write_over_a_newer_holder()
    {
        await using var provider = LockProvider.Create($"redis://{fixture.Endpoint}");
        var name = "fenced-" + Guid.NewGuid().ToString("N")[..8];
        var theLock = provider.CreateLock(name);
        long old, current;
        await using (var first = await theLock.AcquireAsync()) old = first.FencingToken;
        await using (var second = await theLock.AcquireAsync()) current = second.FencingToken;
        var value = new FencedRedisValue(fixture.Admin.GetDatabase(), "resource:" + name);

        await value.WriteAsync("a", old);
        Assert.Equal("a", await value.ReadAsync(current));
        var stale = await Assert.ThrowsAsync<StaleFencingTokenException>(() => value.WriteAsync("stale", old));
        Assert.Equal(old, stale.Token);
        await Assert.ThrowsAsync<StaleFencingTokenException>(() => value.ReadAsync(old));
        await value.WriteAsync("b", current);
        Assert.Equal("b", await value.ReadAsync(current));
    }
}
