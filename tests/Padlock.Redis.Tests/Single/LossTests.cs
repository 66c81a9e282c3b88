using Padlock.Redis.Keys;
using Padlock.Redis.Tests.Fixtures;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>The holder learns through LostToken when its key is deleted, taken over, or the server goes away.</summary>
[Collection(RedisCollection.Name)]
public sealed class LossTests(RedisFixture fixture)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task LostToken_fires_when_the_key_is_deleted()
    {
        await using var provider = LockProvider.Create($"redis://{fixture.Endpoint}?lease=2s&renew=200ms");
        var name = "deleted-" + Guid.NewGuid().ToString("N");
        await using var h = await provider.CreateLock(name).AcquireAsync();
        await fixture.Admin.GetDatabase().KeyDeleteAsync(LockKeys.For("padlock:", name).Lock);
        Assert.True(await FiresAsync(h.LostToken, Guard));
    }

    [Fact]
    public async Task LostToken_fires_when_another_owner_overwrote_the_key_and_release_leaves_it()
    {
        await using var provider = LockProvider.Create($"redis://{fixture.Endpoint}?lease=2s&renew=200ms");
        var name = "stolen-" + Guid.NewGuid().ToString("N");
        var key = LockKeys.For("padlock:", name).Lock;
        var h = await provider.CreateLock(name).AcquireAsync();
        var db = fixture.Admin.GetDatabase();
        await db.StringSetAsync(key, "intruder", TimeSpan.FromSeconds(30));
        Assert.True(await FiresAsync(h.LostToken, Guard));
        await h.DisposeAsync();
        Assert.Equal("intruder", (string?)await db.StringGetAsync(key));
        await db.KeyDeleteAsync(key);
    }

    private static async Task<bool> FiresAsync(CancellationToken token, TimeSpan guard)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var reg = token.Register(() => tcs.TrySetResult());
        return await Task.WhenAny(tcs.Task, Task.Delay(guard)) == tcs.Task;
    }
}
