using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Ensemble;

/// <summary>zk:// locks on a real 3-node ensemble while its leader is stopped.</summary>
[Collection(EnsembleCollection.Name)]
public sealed class LockFailoverTests(EnsembleFixture fixture)
{
    [Fact]
    public async Task Stopping_the_leader_during_holds_and_waits_never_gives_two_holders_and_waiters_carry_on()
    {
        var ensemble = fixture.Ensemble;
        var uri = $"zk://{ensemble.ConnectString}/failover?sessiontimeout=8s&requesttimeout=30s";
        var log = new MemoryLoggerFactory();
        var providers = Enumerable.Range(0, 3).Select(_ => LockProvider.Create(uri, new Padlock.Stores.StoreContext { LoggerFactory = log })).ToArray();
        var name = "leader-stop-" + Guid.NewGuid().ToString("N")[..8];
        ILockHandle? current = null;
        int violations = 0, before = 0, after = 0;
        var leaderStopped = false;
        var errors = new List<Exception>();
        using var stop = new CancellationTokenSource();
        try
        {
            var phase = new string[6];
            var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                var l = providers[w % 3].CreateLock(name);
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        phase[w] = "acquiring";
                        await using var h = await l.AcquireAsync(TimeSpan.FromSeconds(60), stop.Token);
                        phase[w] = "holding";
                        // Two holders at once is a violation unless the earlier one had been told it lost the lock.
                        var previous = Interlocked.Exchange(ref current, h);
                        if (previous is { IsLost: false }) Interlocked.Increment(ref violations);
                        await Task.Delay(15, CancellationToken.None);
                        Interlocked.CompareExchange(ref current, null, h);
                        phase[w] = "releasing";
                        if (Volatile.Read(ref leaderStopped)) Interlocked.Increment(ref after);
                        else Interlocked.Increment(ref before);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                    }
                    catch (Exception ex)
                    {
                        // A wait may fail while the ensemble elects a leader; the worker tries again.
                        lock (errors) errors.Add(ex);
                        await Task.Delay(100, CancellationToken.None);
                    }
                }
            })).ToArray();

            await WaitUntil(() => Volatile.Read(ref before) >= 10, () => Task.FromResult("no acquisitions before the leader stop"));
            var disconnects = 0;
            foreach (var p in providers)
            {
                ((ZooKeeperLockStore)p.Store).CurrentClient!.StateChanged += s =>
                {
                    if (s == ConnectionState.Disconnected) Interlocked.Increment(ref disconnects);
                };
            }
            var leader = await ensemble.LeaderAsync();
            Volatile.Write(ref leaderStopped, true);
            await ensemble.Nodes[leader].StopAsync();
            // The message is built when the wait fails, not now: it must show the state at the end of the wait.
            await WaitUntil(() => Volatile.Read(ref after) >= 20, async () => await LineAsync(ensemble.ConnectString, ((ZooKeeperLockStore)providers[0].Store).ParentPath(name), providers) + $"waiters did not carry on after the leader stopped ({after} acquisitions, errors: {ErrorList(errors)}; workers: {string.Join(", ", phase)}; states: {string.Join(", ", providers.Select(p => ((ZooKeeperLockStore)p.Store).CurrentClient?.State.ToString() ?? "-"))})\n{log.Tail(60)}");
            stop.Cancel();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, violations);
            // The stop did disturb the clients (followers drop their clients while a new leader is elected).
            Assert.True(disconnects >= 1, "No client saw the leader stop.");
        }
        finally
        {
            stop.Cancel();
            foreach (var p in providers) await p.DisposeAsync();
            await fixture.HealAsync();
        }
    }

    // Who stands in the lock's line at the end, and whose sessions they belong to: what a stalled line shows.
    private static async Task<string> LineAsync(string connectString, string parent, LockProvider[] providers)
    {
        try
        {
            await using var zk = await Padlock.ZooKeeper.Client.ZooKeeperClient.ConnectAsync(new Padlock.ZooKeeper.Client.ZooKeeperClientOptions { ConnectString = connectString });
            var sb = new System.Text.StringBuilder("line: ");
            foreach (var child in (await zk.GetChildrenAsync(parent)).Order(StringComparer.Ordinal))
            {
                var stat = await zk.ExistsAsync(parent + "/" + child);
                sb.Append($"{child[^10..]} owner 0x{stat?.EphemeralOwner:x} czxid {stat?.Czxid} ctime {DateTimeOffset.FromUnixTimeMilliseconds(stat?.Ctime ?? 0):HH:mm:ss.fff} {child[..Math.Min(12, child.Length)]}; ");
            }
            sb.Append("sessions: " + string.Join(", ", providers.Select(p => $"0x{((ZooKeeperLockStore)p.Store).CurrentClient?.SessionId:x}")) + "\n");
            return sb.ToString();
        }
        catch (Exception ex)
        {
            return "line unknown: " + ex.Message + "\n";
        }
    }

    private static string ErrorList(List<Exception> errors)
    {
        lock (errors) return string.Join("; ", errors.Select(e => e.GetType().Name + ": " + e.Message).Distinct());
    }

    private async Task WaitUntil(Func<bool> condition, Func<Task<string>> failure)
    {
        var end = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!condition())
        {
            if (DateTime.UtcNow >= end)
            {
                var modes = new List<string>();
                for (var i = 0; i < 3; i++)
                {
                    using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    try { modes.Add(await fixture.Ensemble.ModeAsync(i).WaitAsync(probe.Token) ?? "not serving"); }
                    catch (Exception ex) { modes.Add(ex.GetType().Name); }
                }
                Assert.Fail($"{await failure()}\nnode modes: {string.Join(", ", modes)}");
            }
            await Task.Delay(50);
        }
    }
}
