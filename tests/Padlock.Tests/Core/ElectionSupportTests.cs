using Padlock.InProcess;
using Padlock.Stores;
using Xunit;

namespace Padlock.Tests.Core;

/// <summary>Which stores have elections: the others refuse clearly, and a sharded provider runs one on the owning shard.</summary>
public sealed class ElectionSupportTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "padlock-el-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public async Task A_store_without_elections_is_refused_naming_the_ones_that_have_them()
    {
        await using var provider = new LockProvider(new LocksOnlyStore());
        var ex = Assert.Throws<NotSupportedException>(() => provider.CreateElection("x"));
        Assert.Contains("locksonly://", ex.Message);
        Assert.Contains("mem://", ex.Message);
        Assert.Contains("zk://", ex.Message);
        Assert.Contains("etcd://", ex.Message);
        // Names are checked first, whatever the store.
        Assert.Throws<ArgumentException>(() => provider.CreateElection(" "));
    }

    [Fact]
    public async Task A_sharded_provider_runs_the_election_on_the_shard_that_owns_the_name()
    {
        LockProvider.RegisterStore(new LocksOnlyFactory());
        await using var provider = LockProvider.CreateSharded(new Dictionary<string, string> { ["a"] = "mem://", ["b"] = "locksonly://" + Guid.NewGuid().ToString("N") });
        var store = (Padlock.Sharding.ShardedLockStore)provider.Store;
        var onMem = Enumerable.Range(0, 100).Select(i => $"el-{i}").First(n => store.ShardFor(n) == "a");
        var onFile = Enumerable.Range(0, 100).Select(i => $"el-{i}").First(n => store.ShardFor(n) == "b");
        await using (var leads = await provider.CreateElection(onMem).CampaignAsync("v", TimeSpan.FromSeconds(5)))
        {
            Assert.Equal(new LeaderInfo("v", leads.FencingToken), await provider.CreateElection(onMem).GetLeaderAsync());
        }
        var ex = Assert.Throws<NotSupportedException>(() => provider.CreateElection(onFile));
        Assert.Contains("locksonly://", ex.Message);
    }

    /// <summary>A store with locks and nothing else (every built-in store but Redlock now has elections).</summary>
    private sealed class LocksOnlyStore : ILockStore
    {
        private readonly InProcessLockStore _inner = new();

        public string Kind => "locksonly";

        public ValueTask<StoreLease?> TryAcquireAsync(string name, LockWait wait) => _inner.TryAcquireAsync(name, wait);

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }

    private sealed class LocksOnlyFactory : ILockStoreFactory
    {
        public IReadOnlyList<string> Schemes => ["locksonly"];

        public string GetIdentity(StoreUri uri) => uri.Display;

        public ILockStore Create(StoreUri uri, StoreContext context) => new LocksOnlyStore();
    }
}
