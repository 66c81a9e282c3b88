using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Ensemble;

/// <summary>The client's session across the servers of a real 3-node ensemble.</summary>
[Collection(EnsembleCollection.Name)]
public sealed class FailoverTests(EnsembleFixture fixture)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Stopping_the_clients_server_moves_the_same_session_to_another_with_ephemerals_and_watches()
    {
        var ensemble = fixture.Ensemble;
        try
        {
            await using var c = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = ensemble.ConnectString, SessionTimeout = TimeSpan.FromSeconds(8) });
            var session = c.SessionId;
            var root = "/failover-" + Guid.NewGuid().ToString("N")[..12];
            await c.CreateAsync(root, null, CreateMode.Persistent);
            await c.CreateAsync(root + "/mine", null, CreateMode.Ephemeral);
            var created = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            var children = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            await c.ExistsAsync(root + "/later", e => created.TrySetResult(e));
            await c.GetChildrenAsync(root, e => children.TrySetResult(e));
            var states = new List<ConnectionState>();
            var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            c.StateChanged += s =>
            {
                lock (states) states.Add(s);
                if (s == ConnectionState.Connected) reconnected.TrySetResult();
            };

            var first = ensemble.NodeOfPort(c.ConnectedServer!.Port);
            await ensemble.Nodes[first].StopAsync();
            await reconnected.Task.WaitAsync(Guard);

            Assert.Equal(session, c.SessionId);
            Assert.NotEqual(first, ensemble.NodeOfPort(c.ConnectedServer!.Port));
            lock (states) Assert.Equal([ConnectionState.Disconnected, ConnectionState.Connected], states);
            // The ephemeral node is still this session's, seen from a client on another node.
            var otherNode = Enumerable.Range(0, 3).First(i => i != first);
            await using var observer = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = $"127.0.0.1:{ensemble.ClientPorts[otherNode]}" });
            await observer.SyncAsync(root);
            Assert.Equal(session, (await observer.ExistsAsync(root + "/mine"))!.EphemeralOwner);
            // Watches armed before the move still fire.
            await observer.CreateAsync(root + "/later", null, CreateMode.Persistent);
            Assert.Equal(WatchEventType.NodeCreated, (await created.Task.WaitAsync(Guard)).Type);
            Assert.Equal(WatchEventType.NodeChildrenChanged, (await children.Task.WaitAsync(Guard)).Type);
            Assert.NotNull(await c.ExistsAsync(root + "/mine"));
        }
        finally
        {
            await fixture.HealAsync();
        }
    }

    [Fact]
    public async Task Requests_issued_during_a_failover_complete_after_the_reconnect()
    {
        var ensemble = fixture.Ensemble;
        try
        {
            await using var c = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
            {
                ConnectString = ensemble.ConnectString,
                SessionTimeout = TimeSpan.FromSeconds(8),
                RequestTimeout = TimeSpan.FromSeconds(30),
            });
            var leader = await ensemble.LeaderAsync();
            var root = "/leader-" + Guid.NewGuid().ToString("N")[..12];
            await c.CreateAsync(root, null, CreateMode.Persistent);
            var stop = ensemble.Nodes[leader].StopAsync();
            var done = 0;
            var lost = 0;
            for (var i = 0; i < 40; i++)
            {
                try
                {
                    await c.CreateAsync($"{root}/n", null, CreateMode.PersistentSequential);
                    done++;
                }
                catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.ConnectionLoss)
                {
                    lost++;
                }
            }
            await stop;
            // Every create either completed or reported a connection loss; none hung, and the session survived.
            Assert.Equal(40, done + lost);
            Assert.True(done >= 30, $"only {done} of 40 creates completed");
            Assert.Equal(ConnectionState.Connected, c.State);
            var count = (await c.GetChildrenAsync(root)).Count;
            Assert.InRange(count, done, 40);
        }
        finally
        {
            await fixture.HealAsync();
        }
    }
}
