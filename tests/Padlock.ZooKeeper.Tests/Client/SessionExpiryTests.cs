using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Client;

/// <summary>Session ends and losses, against a real server (directly, or through a relay that can fail on cue).</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class SessionExpiryTests(ZooKeeperFixture zk)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_session_closed_from_a_second_client_is_expired_everywhere_and_final()
    {
        // Through a relay, so this client cannot win the session back while the other one closes it.
        await using var proxy = new FaultProxy(zk.Server.Port);
        await using var c = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = proxy.ConnectString });
        await using var observer = await zk.ConnectAsync();
        var path = "/exp-" + Guid.NewGuid().ToString("N")[..12];
        await c.CreateAsync(path, null, CreateMode.Ephemeral);
        var states = new List<ConnectionState>();
        var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        c.StateChanged += s =>
        {
            lock (states) states.Add(s);
            if (s == ConnectionState.Expired) expired.TrySetResult();
        };
        var watchEnded = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await c.ExistsAsync(path, e => watchEnded.TrySetResult(e));

        // Same id and password from another client: it takes the session over, then closes it.
        proxy.Blackhole = true;
        var thief = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = zk.ConnectString,
            ResumeSession = (c.SessionId, c.SessionPassword),
        });
        Assert.Equal(c.SessionId, thief.SessionId);
        await thief.DisposeAsync();
        proxy.Blackhole = false;

        await expired.Task.WaitAsync(Guard);
        Assert.Equal(ConnectionState.Expired, c.State);
        lock (states) Assert.Equal([ConnectionState.Disconnected, ConnectionState.Expired], states);
        var e = await watchEnded.Task.WaitAsync(Guard);
        Assert.Equal(new WatchedEvent(WatchEventType.None, ConnectionState.Expired, null), e);
        var fail = await Assert.ThrowsAsync<ZooKeeperException>(() => c.ExistsAsync("/"));
        Assert.Equal(ZooKeeperErrorCode.SessionExpired, fail.Code);
        Assert.Contains("SessionExpired", fail.Message);
        await Assert.ThrowsAsync<ZooKeeperException>(() => c.WaitConnectedAsync(TimeSpan.FromSeconds(1)));
        Assert.Null(await observer.ExistsAsync(path));
    }

    [Fact]
    public async Task Resuming_an_unknown_session_is_refused_as_expired()
    {
        var ex = await Assert.ThrowsAsync<ZooKeeperException>(() => ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = zk.ConnectString,
            ResumeSession = (0x0badcafe, new byte[16]),
        }));
        Assert.Equal(ZooKeeperErrorCode.SessionExpired, ex.Code);
    }

    [Fact]
    public async Task A_cut_connection_fails_requests_in_flight_then_reconnects_with_the_same_session()
    {
        await using var proxy = new FaultProxy(zk.Server.Port);
        await using var c = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = proxy.ConnectString });
        var session = c.SessionId;
        var path = "/cut-" + Guid.NewGuid().ToString("N")[..12];
        var watched = new TaskCompletionSource<WatchedEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await c.ExistsAsync(path + "-w", e => watched.TrySetResult(e));

        proxy.CutAfterNext((int)OpCode.Create2);
        var ex = await Assert.ThrowsAsync<ZooKeeperException>(() => c.CreateAsync(path, null, CreateMode.Ephemeral));
        Assert.Equal(ZooKeeperErrorCode.ConnectionLoss, ex.Code);
        Assert.True(await c.WaitConnectedAsync(Guard));
        Assert.Equal(session, c.SessionId);
        Assert.Equal(2, proxy.Connections);
        // The create was applied although its reply was lost, and the node is still this session's.
        Assert.Equal(session, (await c.ExistsAsync(path))!.EphemeralOwner);
        // The watch armed before the cut was re-registered on the new connection.
        await using var other = await zk.ConnectAsync();
        await other.CreateAsync(path + "-w", null, CreateMode.Persistent);
        Assert.Equal(WatchEventType.NodeCreated, (await watched.Task.WaitAsync(Guard)).Type);
        await other.DeleteAsync(path + "-w");
    }

    [Fact]
    public async Task Silence_past_the_read_timeout_drops_the_connection()
    {
        await using var proxy = new FaultProxy(zk.Server.Port);
        await using var c = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = proxy.ConnectString, SessionTimeout = TimeSpan.FromSeconds(4) });
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        c.StateChanged += s => { if (s == ConnectionState.Disconnected) disconnected.TrySetResult(); };
        proxy.Blackhole = true;
        // Read timeout is 2/3 of the negotiated 4 s; allow generously for a loaded machine.
        await disconnected.Task.WaitAsync(Guard);
        Assert.True(c.SinceLastContact >= c.NegotiatedTimeout * 2 / 3 - TimeSpan.FromMilliseconds(100));
        proxy.Blackhole = false;
        Assert.True(await c.WaitConnectedAsync(Guard));
        Assert.NotNull(await c.ExistsAsync("/"));
    }

    [Fact]
    public async Task A_request_without_a_reply_fails_after_the_request_timeout_and_the_session_carries_on()
    {
        await using var proxy = new FaultProxy(zk.Server.Port);
        await using var c = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = proxy.ConnectString,
            SessionTimeout = TimeSpan.FromSeconds(20),
            RequestTimeout = TimeSpan.FromMilliseconds(400),
        });
        proxy.Blackhole = true;
        var started = DateTime.UtcNow;
        var ex = await Assert.ThrowsAsync<ZooKeeperException>(() => c.ExistsAsync("/"));
        Assert.Equal(ZooKeeperErrorCode.RequestTimeout, ex.Code);
        Assert.Contains("400 ms", ex.Message);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(350), Guard);
        proxy.Blackhole = false;
        // The late reply is matched to the abandoned request and dropped; later requests get their own replies.
        Assert.NotNull(await c.ExistsAsync("/"));
        Assert.Equal(ConnectionState.Connected, c.State);
    }
}
