using Padlock.InProcess;
using Padlock.Sharding;
using Padlock.Stores;
using Padlock.Testing;
using Xunit;

namespace Padlock.Tests.Sharding;

public sealed class ShardedLockStoreTests
{
    private static readonly string[] Names = [.. Enumerable.Range(0, 3000).Select(i => $"order-{i}")];

    private static ShardedLockStore Over(params string[] ids)
        => new(ids.Select(id => new KeyValuePair<string, ILockStore>(id, new InProcessLockStore())));

    [Fact]
    public void Placement_does_not_depend_on_the_order_the_shards_are_listed()
    {
        var a = Over("zk://a:2181", "zk://b:2181", "zk://c:2181");
        var b = Over("zk://c:2181", "zk://a:2181", "zk://b:2181");
        Assert.All(Names, n => Assert.Equal(a.ShardFor(n), b.ShardFor(n)));
    }

    [Fact]
    public void Names_spread_evenly_over_the_shards()
    {
        var s = Over("etcd://a:2379", "etcd://b:2379", "etcd://c:2379");
        var counts = Names.GroupBy(s.ShardFor).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, counts.Count);
        // 1000 expected per shard; a fair hash stays within a few standard deviations (~26).
        Assert.All(counts.Values, c => Assert.InRange(c, 880, 1120));
    }

    [Fact]
    public void Adding_a_shard_moves_only_the_names_that_now_belong_to_it()
    {
        var three = Over("s1", "s2", "s3");
        var four = Over("s1", "s2", "s3", "s4");
        var moved = Names.Where(n => three.ShardFor(n) != four.ShardFor(n)).ToList();
        Assert.All(moved, n => Assert.Equal("s4", four.ShardFor(n)));
        Assert.InRange(moved.Count, 600, 900); // about a quarter of 3000
    }

    [Fact]
    public void Placement_is_pinned_so_every_version_agrees()
    {
        // Two processes on different Padlock versions must place a name on the same shard: the hash may never change.
        var s = Over("redis://a:6379", "redis://b:6379", "redis://c:6379");
        Assert.Equal("redis://c:6379", s.ShardFor("nightly-report"));
        Assert.Equal("redis://a:6379", s.ShardFor("锁/with unicode"));
    }

    [Fact]
    public async Task Locks_on_one_name_exclude_each_other_and_other_names_land_elsewhere()
    {
        await using var p = new LockProvider(Over("m1", "m2", "m3"));
        await using var h = await p.CreateLock("report").AcquireAsync();
        Assert.Null(await SeparateFlow.Run(async () => await p.CreateLock("report").TryAcquireAsync())); // another flow: this one would be refused as recursion
        Assert.StartsWith("sharded-mem", p.StoreKind);
    }

    [Fact]
    public void Bad_shard_lists_are_ArgumentExceptions_naming_the_problem()
    {
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => Over()).Message);
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => Over("a", "a")).Message);
        Assert.Contains("non-empty id", Assert.Throws<ArgumentException>(() => Over("a", " ")).Message);
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => LockProvider.CreateSharded(["mem://", "mem://"])).Message);
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => LockProvider.CreateSharded([])).Message);
        var bad = Assert.ThrowsAny<ArgumentException>(() => LockProvider.CreateSharded(["mem://", "nope://x"]));
        Assert.Contains("nope", bad.Message);
        Assert.Contains("Known schemes", bad.Message);
    }

    [Fact]
    public async Task Inspecting_a_shard_that_cannot_tell_says_so()
    {
        await using var s = Over("m1", "m2");
        var ex = await Assert.ThrowsAsync<NotSupportedException>(async () => await s.InspectAsync("x"));
        Assert.Contains("cannot report", ex.Message);
    }

    [Fact]
    public async Task Disposing_the_sharded_store_disposes_every_shard()
    {
        var shards = Enumerable.Range(0, 3).Select(_ => new CountingStore()).ToList();
        await new ShardedLockStore(shards.Select((s, i) => new KeyValuePair<string, ILockStore>($"s{i}", s))).DisposeAsync();
        Assert.All(shards, s => Assert.Equal(1, s.Disposed));
    }

    private sealed class CountingStore : ILockStore
    {
        public int Disposed;
        public string Kind => "count";
        public ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait) => ValueTask.FromResult<StoreLease?>(null);
        public ValueTask DisposeAsync()
        {
            Disposed++;
            return ValueTask.CompletedTask;
        }
    }
}
