using Padlock.LocalServers;
using Padlock.Testing;
using Xunit;

namespace Padlock.Redis.Tests.Cluster;

/// <summary>A local 3-master Redis Cluster: the {name}-tagged keys keep each lock's scripts in one slot.</summary>
public sealed class RedisClusterTests : IAsyncLifetime
{
    private RedisClusterServers _cluster = null!;

    public async Task InitializeAsync() => _cluster = await RedisClusterServers.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null) await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Semaphores_run_their_scripts_in_one_slot_and_hand_permits_on_across_the_cluster()
    {
        var uri = $"redis://{_cluster.Endpoints}?lease=5s";
        await using var a = LockProvider.Create(uri);
        // b waits 8 s at most with its fallback check 10 s away: only the release script's PUBLISH can serve it.
        await using var b = LockProvider.Create(uri + "&fallback=10s");
        foreach (var name in Enumerable.Range(0, 12).Select(i => $"cluster-sem-{i}-{Guid.NewGuid():N}"))
        {
            var first = await a.CreateSemaphore(name, 2).AcquireAsync();
            await using var second = await SeparateFlow.Run(async () => await a.CreateSemaphore(name, 2).AcquireAsync());
            Assert.Null(await b.CreateSemaphore(name, 2).TryAcquireAsync());
            var waiting = b.CreateSemaphore(name, 2).AcquireAsync(TimeSpan.FromSeconds(8)).AsTask();
            await Task.Delay(50); // let the wait begin; a waiter that arrives after the release is granted at once anyway
            await first.DisposeAsync();
            await using var third = await waiting;
            Assert.True(third.FencingToken > second.FencingToken && second.FencingToken > first.FencingToken);
        }
    }

    [Fact]
    public async Task Reader_writer_locks_and_elections_hand_on_across_the_cluster()
    {
        var uri = $"redis://{_cluster.Endpoints}?lease=5s";
        await using var a = LockProvider.Create(uri);
        // b waits 8 s at most with its fallback check 10 s away: only the release script's PUBLISH can serve it.
        await using var b = LockProvider.Create(uri + "&fallback=10s");
        foreach (var name in Enumerable.Range(0, 8).Select(i => $"cluster-rw-{i}-{Guid.NewGuid():N}"))
        {
            var write = await a.CreateReaderWriterLock(name).AcquireWriteAsync();
            Assert.Null(await b.CreateReaderWriterLock(name).TryAcquireReadAsync());
            var reading = b.CreateReaderWriterLock(name).AcquireReadAsync(TimeSpan.FromSeconds(8)).AsTask();
            await Task.Delay(50); // let the wait begin; a waiter that arrives after the release is granted at once anyway
            await write.DisposeAsync();
            await using var read = await reading;
            Assert.True(read.FencingToken > write.FencingToken);

            var leads = await a.CreateElection(name).CampaignAsync("a");
            var campaigning = b.CreateElection(name).CampaignAsync("b", TimeSpan.FromSeconds(8)).AsTask();
            await Task.Delay(50);
            Assert.Equal(new LeaderInfo("a", leads.FencingToken), await b.CreateElection(name).GetLeaderAsync());
            await leads.ResignAsync();
            await using var next = await campaigning;
            Assert.Equal(new LeaderInfo("b", next.FencingToken), await a.CreateElection(name).GetLeaderAsync());
        }
    }

    [Fact]
    public async Task Locks_fencing_and_wake_ups_work_across_the_cluster_slots()
    {
        var uri = $"redis://{_cluster.Endpoints}?lease=5s";
        await using var a = LockProvider.Create(uri);
        // b's fallback check comes after 10 s and it waits 8 s at most: only the published hand-off can serve it,
        // so this also shows a PUBLISH from a script on one node reaching a subscriber connected to another.
        await using var b = LockProvider.Create(uri + "&fallback=10s");
        var inspector = (RedisLockStore)b.Store;
        var names = Enumerable.Range(0, 24).Select(i => $"cluster-{i}-{Guid.NewGuid():N}").ToArray();
        foreach (var name in names)
        {
            var first = await a.CreateLock(name).AcquireAsync();
            Assert.Null(await b.CreateLock(name).TryAcquireAsync());
            var waiting = b.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(8)).AsTask();
            await Eventually.TrueAsync(async () => (await inspector.InspectAsync(name)).Waiters!.Count > 0, $"a waiter in the line of {name}");
            await first.DisposeAsync();
            await using var second = await waiting;
            Assert.True(second.FencingToken > first.FencingToken);
        }
        // The names spread over the masters, so the scripts ran on more than one node without CROSSSLOT errors.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var withKeys = 0;
        foreach (var n in _cluster.Nodes)
        {
            var reply = await RedisProbe.SendAsync(n.Port, "DBSIZE", cts.Token);
            if (long.Parse(reply.TrimStart(':').Trim(), System.Globalization.CultureInfo.InvariantCulture) > 0) withKeys++;
        }
        Assert.True(withKeys >= 2, $"Only {withKeys} node(s) held lock keys.");
    }

    [Fact]
    public async Task Mutual_exclusion_holds_on_the_cluster()
    {
        var uri = $"redis://{_cluster.Endpoints}?lease=5s";
        var providers = Enumerable.Range(0, 3).Select(_ => LockProvider.Create(uri)).ToArray();
        var name = "cluster-counter-" + Guid.NewGuid().ToString("N");
        int counter = 0, inside = 0, overlap = 0;
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            for (var k = 0; k < 10; k++)
            {
                await using var h = await providers[i % 3].CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(60));
                if (Interlocked.Increment(ref inside) > 1) Interlocked.Increment(ref overlap);
                var read = counter;
                await Task.Yield();
                counter = read + 1;
                Interlocked.Decrement(ref inside);
            }
        })));
        Assert.Equal(60, counter);
        Assert.Equal(0, overlap);
        foreach (var p in providers) await p.DisposeAsync();
    }
}
