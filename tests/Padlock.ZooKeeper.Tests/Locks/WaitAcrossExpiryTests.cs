using System.Diagnostics;
using Padlock.LocalServers;
using Padlock.Testing;
using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Locks;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;
using Xunit.Abstractions;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>
/// A waiting acquire outlives its session: the server frozen (SIGSTOP) past the session timeout expires every session
/// when it resumes; the hold is lost, and the waiter starts over on a new session and is granted (issue 15, defect 3).
/// </summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class WaitAcrossExpiryTests(ITestOutputHelper output)
{
    // A server of its own with a 1 s tick, so a 2 s session timeout is allowed (the server's minimum is 2 ticks).
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    // Generous on a loaded machine: after the resume, the reconnect attempt is answered "expired", then a new session
    // is opened and one create + list made. Typically well under a second.
    private static readonly TimeSpan GrantedAfterResume = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_waiter_is_granted_on_a_new_session_after_its_session_expires_and_the_hold_is_lost()
    {
        await using var server = await ZooKeeperServer.StartAsync(Tick);
        // A short request timeout puts the waiter in the path of the report: its periodic re-check fails for want of a
        // connection during the freeze, and it then waits for the reconnect, which answers with the expiry.
        var uri = $"zk://{server.ConnectString}/expiry?sessiontimeout=2s&requesttimeout=1s";
        await using var holderProvider = LockProvider.Create(uri);
        await using var waiterProvider = LockProvider.Create(uri);
        var name = "lock-" + Guid.NewGuid().ToString("N")[..12];
        var holder = await holderProvider.CreateLock(name).AcquireAsync(Guard);
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        holder.LostToken.Register(() => lost.TrySetResult());
        var waiting = waiterProvider.CreateLock(name).AcquireAsync(TimeSpan.FromMinutes(2)).AsTask();
        var parent = ((ZooKeeperLockStore)waiterProvider.Store).ParentPath(name);
        await Eventually.TrueAsync(async () => (await LineAsync(server, parent)).Count == 2, "the waiter queued");
        var waiterClient = ((ZooKeeperLockStore)waiterProvider.Store).CurrentClient!;
        var oldSession = waiterClient.SessionId;

        var pid = server.Process.ProcessId!.Value;
        var resumed = Stopwatch.StartNew();
        Posix.Pause(pid);
        try
        {
            // The freeze itself: well past the negotiated session timeout (and its one-tick rounding).
            var frozenFor = waiterClient.NegotiatedTimeout * 2 + Tick * 2;
            await Task.Delay(frozenFor);
            Assert.False(waiting.IsCompleted, "the waiter finished while the server was frozen");
        }
        finally
        {
            Posix.Resume(pid);
            resumed.Restart();
        }

        // Granted rather than failed with SessionExpired; the wait started over on a new session.
        await using var granted = await waiting.WaitAsync(GrantedAfterResume);
        var afterResume = resumed.Elapsed;
        Assert.False(granted.IsLost);
        Assert.NotEqual(oldSession, ((ZooKeeperLockStore)waiterProvider.Store).CurrentClient!.SessionId);
        Assert.True(granted.FencingToken > holder.FencingToken);
        await lost.Task.WaitAsync(Guard);
        Assert.True(holder.IsLost);
        // Only the new holder's entry is in line: nothing of the expired sessions, no orphan granted to nobody.
        Assert.Single(await LineAsync(server, parent));
        await holder.DisposeAsync();
        output.WriteLine($"granted {afterResume.TotalMilliseconds:0} ms after the resume");
    }

    [Fact]
    public async Task Waiters_whose_session_expired_queue_again_behind_a_live_holder_and_keep_their_deadline_and_cancellation()
    {
        await using var server = await ZooKeeperServer.StartAsync(Tick);
        // The holder's session (20 s, the server's maximum here) outlives the freeze; the waiters' (2 s) does not.
        await using var holderProvider = LockProvider.Create($"zk://{server.ConnectString}/expiry?sessiontimeout=20s");
        await using var waiterProvider = LockProvider.Create($"zk://{server.ConnectString}/expiry?sessiontimeout=2s&requesttimeout=1s");
        var name = "lock-" + Guid.NewGuid().ToString("N")[..12];
        await using var holder = await holderProvider.CreateLock(name).AcquireAsync(Guard);
        using var cancel = new CancellationTokenSource();
        var cancelled = waiterProvider.CreateLock(name).AcquireAsync(cancellationToken: cancel.Token).AsTask();
        var store = (ZooKeeperLockStore)waiterProvider.Store;
        var parent = store.ParentPath(name);
        await Eventually.TrueAsync(async () => (await LineAsync(server, parent)).Count == 2, "the first waiter queued");
        var oldSession = store.CurrentClient!.SessionId;
        var frozenFor = store.CurrentClient.NegotiatedTimeout * 2 + Tick * 2;
        // Its deadline falls well after the resume: it must queue again, then time out with null, not an error.
        var deadline = frozenFor + TimeSpan.FromSeconds(10);
        var timingOut = waiterProvider.CreateLock(name).TryAcquireAsync(deadline).AsTask();
        await Eventually.TrueAsync(async () => (await LineAsync(server, parent)).Count == 3, "the second waiter queued");

        var pid = server.Process.ProcessId!.Value;
        Posix.Pause(pid);
        try
        {
            await Task.Delay(frozenFor);
        }
        finally
        {
            Posix.Resume(pid);
        }

        // Both waiters stand in line again, on the store's new session, behind the holder.
        await Eventually.TrueAsync(async () =>
        {
            var line = await LineAsync(server, parent);
            if (line.Count != 3 || store.CurrentClient!.SessionId == oldSession) return false;
            var owners = await OwnersAsync(server, parent, line);
            return owners[0] != store.CurrentClient.SessionId && owners.Skip(1).All(o => o == store.CurrentClient.SessionId);
        }, "the waiters queued again on a new session");
        Assert.False(cancelled.IsCompleted);
        Assert.False(timingOut.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Guard));
        Assert.Equal(2, (await LineAsync(server, parent)).Count);
        Assert.Null(await timingOut.WaitAsync(deadline + Guard));
        Assert.Single(await LineAsync(server, parent));
        Assert.False(holder.IsLost);
    }

    private static async Task<List<long>> OwnersAsync(ZooKeeperServer server, string parent, List<string> line)
    {
        await using var c = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = server.ConnectString });
        var owners = new List<long>();
        foreach (var entry in line) owners.Add((await c.ExistsAsync(ZkPaths.Combine(parent, entry)))?.EphemeralOwner ?? 0);
        return owners;
    }

    private static async Task<List<string>> LineAsync(ZooKeeperServer server, string parent)
    {
        await using var c = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = server.ConnectString });
        try
        {
            return LockNodeNames.Queue(await c.GetChildrenAsync(parent));
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
        {
            return [];
        }
    }
}
