using Padlock.Redis.Keys;
using Padlock.Redis.Lines;
using Padlock.Redis.Tests.Fixtures;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Single;

/// <summary>The Redis election's own guarantees: a guarded proclaim, and observers driven by messages rather than re-reads.</summary>
[Collection(RedisCollection.Name)]
public sealed class ElectionTests(RedisFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private readonly List<ILockProvider> _providers = [];

    private IDatabase Db => fixture.Admin.GetDatabase();

    // Renewal every 20 s: within a test the holder neither renews nor notices anything by itself.
    private ILockProvider NewProvider(string query = "lease=30s&renew=20s")
    {
        var p = LockProvider.Create($"redis://{fixture.Endpoint}?{query}");
        lock (_providers) _providers.Add(p);
        return p;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var p in _providers) await p.DisposeAsync();
    }

    [Fact]
    public async Task A_leader_whose_lease_ended_cannot_proclaim_even_before_anyone_purged_it()
    {
        var name = $"el-{Guid.NewGuid():N}";
        var keys = LineKeys.Election("padlock:", name);
        var leads = await NewProvider().CreateElection(name).CampaignAsync("old", Long);
        // Its lease ends in Redis (as after a long pause) while its entry is still there.
        var time = (RedisResult[])(await Db.ExecuteAsync("TIME"))!;
        Assert.True(await Db.SortedSetUpdateAsync(keys.Writer, (RedisValue)(await Db.SortedSetRangeByRankAsync(keys.Writer))[0], (long)time[0] * 1000 - 1000, SortedSetWhen.Exists));
        Assert.False(leads.IsLost);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await leads.ProclaimAsync("new"));
        Assert.True(leads.IsLost);
        Assert.Null(await NewProvider().CreateElection(name).GetLeaderAsync());
        Assert.DoesNotContain((RedisValue)"new", await Db.HashValuesAsync(keys.Values));
    }

    [Fact]
    public async Task A_leader_whose_entry_was_taken_away_cannot_proclaim_and_the_new_leaders_value_stands()
    {
        var name = $"el-{Guid.NewGuid():N}";
        var keys = LineKeys.Election("padlock:", name);
        var old = await NewProvider().CreateElection(name).CampaignAsync("old", Long);
        // Its entry is gone (as after an eviction) and someone else is elected; the old leader has not renewed since.
        Assert.True(await Db.KeyDeleteAsync(keys.Writer));
        await using var next = await NewProvider().CreateElection(name).CampaignAsync("next", Long);
        Assert.False(old.IsLost);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await old.ProclaimAsync("old again"));
        Assert.True(old.IsLost);
        Assert.Equal(new LeaderInfo("next", next.FencingToken), await NewProvider().CreateElection(name).GetLeaderAsync());
        Assert.DoesNotContain((RedisValue)"old again", await Db.HashValuesAsync(keys.Values));
    }

    [Fact]
    public async Task Observers_hear_each_change_from_its_message_without_waiting_for_the_re_read()
    {
        var saved = RedisElections.RecheckInterval;
        // No re-read within the test: every change below must arrive by its message.
        RedisElections.RecheckInterval = TimeSpan.FromMinutes(10);
        try
        {
            var name = $"el-{Guid.NewGuid():N}";
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await using var seen = NewProvider().CreateElection(name).ObserveAsync(stop.Token).GetAsyncEnumerator(stop.Token);
            Assert.Null(await NextAsync(seen, stop));
            var a = await NewProvider().CreateElection(name).CampaignAsync("a", Long);
            Assert.Equal(new LeaderInfo("a", a.FencingToken), await NextAsync(seen, stop));
            var b = NewProvider().CreateElection(name).CampaignAsync("b", Long).AsTask();
            await a.ProclaimAsync("a2");
            Assert.Equal(new LeaderInfo("a2", a.FencingToken), await NextAsync(seen, stop));
            await a.ResignAsync();
            var bLeads = await b.WaitAsync(Long);
            Assert.Equal(new LeaderInfo("b", bLeads.FencingToken), await NextAsync(seen, stop));
            await bLeads.ResignAsync();
            Assert.Null(await NextAsync(seen, stop));
        }
        finally
        {
            RedisElections.RecheckInterval = saved;
        }
    }

    // The core drops repeats, so each NextAsync is the next distinct leader; 30 s is far beyond a message's delay. On a
    // timeout the observation is cancelled and awaited first, so the failure says what was missing.
    private static async Task<LeaderInfo?> NextAsync(IAsyncEnumerator<LeaderInfo?> seen, CancellationTokenSource stop)
    {
        var move = seen.MoveNextAsync().AsTask();
        if (await Task.WhenAny(move, Task.Delay(Long)) != move)
        {
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => move);
            Assert.Fail($"No change reached the observer within {Long.TotalSeconds} s.");
        }
        Assert.True(await move, "The observation ended.");
        return seen.Current;
    }
}
