using System.Collections.Concurrent;
using Padlock.Testing;
using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Client;

/// <summary>One-shot watches against a real server: each event type, in order, never blocking replies.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class WatchTests(ZooKeeperFixture zk)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    private static string Root() => "/watch-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Each_event_type_fires_once_for_the_watch_that_asked()
    {
        await using var c = await zk.ConnectAsync();
        await using var other = await zk.ConnectAsync();
        var path = Root();
        var events = new BlockingCollection<WatchedEvent>();

        Assert.Null(await c.ExistsAsync(path, events.Add));
        await other.CreateAsync(path, null, CreateMode.Persistent);
        Assert.Equal(new WatchedEvent(WatchEventType.NodeCreated, ConnectionState.Connected, path), Take(events));

        await c.GetDataAsync(path, events.Add);
        await other.SetDataAsync(path, [1]);
        Assert.Equal(WatchEventType.NodeDataChanged, Take(events).Type);
        // One-shot: a second change fires nothing until re-armed.
        await other.SetDataAsync(path, [2]);

        await c.GetChildrenAsync(path, events.Add);
        await other.CreateAsync(path + "/kid", null, CreateMode.Persistent);
        Assert.Equal(new WatchedEvent(WatchEventType.NodeChildrenChanged, ConnectionState.Connected, path), Take(events));

        await c.ExistsAsync(path + "/kid", events.Add);
        await other.DeleteAsync(path + "/kid");
        Assert.Equal(new WatchedEvent(WatchEventType.NodeDeleted, ConnectionState.Connected, path + "/kid"), Take(events));
        await other.DeleteAsync(path);
        await c.SyncAsync("/");
        Assert.False(events.TryTake(out var extra, TimeSpan.FromMilliseconds(300)), $"Unexpected event {extra}");
        Assert.Equal(0, c.Watches.Count);
    }

    [Fact]
    public async Task A_getData_watch_on_a_missing_node_is_not_armed_but_an_exists_watch_is()
    {
        await using var c = await zk.ConnectAsync();
        var path = Root();
        var fired = 0;
        await Assert.ThrowsAsync<ZooKeeperException>(() => c.GetDataAsync(path, _ => Interlocked.Increment(ref fired)));
        Assert.Equal(0, c.Watches.Count);
        await c.ExistsAsync(path, _ => Interlocked.Increment(ref fired));
        Assert.Equal(1, c.Watches.Count);
    }

    [Fact]
    public async Task Events_arrive_in_order_and_a_blocked_callback_does_not_stall_replies()
    {
        await using var c = await zk.ConnectAsync();
        await using var other = await zk.ConnectAsync();
        var root = Root();
        await c.CreateAsync(root, null, CreateMode.Persistent);
        var order = new ConcurrentQueue<string>();
        using var gate = new ManualResetEventSlim(false);
        for (var i = 0; i < 20; i++)
        {
            await c.CreateAsync($"{root}/n{i}", null, CreateMode.Persistent);
            var name = $"n{i}";
            await c.ExistsAsync($"{root}/{name}", e =>
            {
                // The first callback blocks the event task until the test has seen replies flow regardless.
                if (name == "n0") gate.Wait(Guard);
                order.Enqueue(name);
            });
        }
        for (var i = 0; i < 20; i++) await other.DeleteAsync($"{root}/n{i}");
        // Replies still arrive while the event task is blocked.
        for (var i = 0; i < 20; i++) Assert.Null(await c.ExistsAsync($"{root}/n{i}"));
        Assert.Empty(order);
        gate.Set();
        await Eventually.TrueAsync(() => order.Count >= 20, "all 20 watch events delivered", Guard);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"n{i}"), order);
    }

    private static WatchedEvent Take(BlockingCollection<WatchedEvent> events)
    {
        Assert.True(events.TryTake(out var e, Guard), "No watch event within 10 s.");
        return e!;
    }
}
