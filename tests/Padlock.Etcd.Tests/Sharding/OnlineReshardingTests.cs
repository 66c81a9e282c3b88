using System.Globalization;
using Padlock.LocalServers;
using Padlock.Sharding;
using Xunit;
using Xunit.Abstractions;

namespace Padlock.Etcd.Tests.Sharding;

/// <summary>
/// Changing the shard set while clients run (issue 17), on real servers: single-member etcd servers as shards (each
/// with its own revision counter, so a name that moves to a fresh shard gets lower raw tokens than it had: only the
/// generation in the token's high bits keeps it rising) and the fixture's etcd as the directory.
/// </summary>
[Collection("etcd")]
public sealed class OnlineReshardingTests(EtcdFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Names = 100;
    private readonly List<EtcdServer> _shards = [];
    private readonly string _board = Path.Combine(Path.GetTempPath(), "padlock-board-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 3; i++) _shards.Add(await EtcdServer.StartAsync());
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _shards) await s.DisposeAsync();
        File.Delete(_board);
    }

    private Dictionary<string, string> Shards(params char[] ids)
        => ids.ToDictionary(id => id.ToString(), id => $"etcd://{_shards[id - 'a'].Endpoint}/shard-{id}");

    [Fact]
    public async Task Adding_then_removing_a_shard_under_16_clients_in_two_processes_never_grants_a_name_twice()
    {
        var directory = fixture.Uri("?ttl=5s");
        await using var admin = ShardMapAdmin.Open(directory);
        await admin.ApplyAsync(Shards('a', 'b'));
        await using (var f = File.Create(_board)) f.SetLength(Names * 32L);
        var steps = new List<string>();
        var progress = new Progress<ShardChangeProgress>(p => { lock (steps) steps.Add($"{p.Epoch} {p.Step} ({p.Waiting.Count} waiting)"); });

        await using var one = new HolderLines("--shard-stress", directory, _board, Names.ToString(CultureInfo.InvariantCulture), "8");
        await using var two = new HolderLines("--shard-stress", directory, _board, Names.ToString(CultureInfo.InvariantCulture), "8");
        await WorkingAsync(one, two);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var added = await ApplyWhilePausedAsync(admin, Shards('a', 'b', 'c'), two, progress, limit.Token);
        await WorkingAsync(one, two);
        var removed = await ApplyWhilePausedAsync(admin, Shards('a', 'c'), two, progress, limit.Token);
        await WorkingAsync(one, two);
        var clients = await admin.ReadClientsAsync();
        await one.SendAsync("stop");
        await two.SendAsync("stop");
        var results = new[] { await DoneAsync(one), await DoneAsync(two) };
        lock (steps) output.WriteLine(string.Join("\n", steps));
        output.WriteLine(string.Join("\n", results.Select(r => string.Join(' ', r))));

        Assert.Equal((3L, 5L), (added.Epoch, removed.Epoch));
        Assert.Equal(2, clients.Count);
        Assert.All(clients, c => Assert.Equal(removed.Epoch, c.Epoch));
        Assert.All(results, r => Assert.Equal(removed.Epoch, r[4])); // each process ends on the final map
        Assert.Equal(0, results.Sum(r => r[1])); // no overlapping holds
        Assert.Equal(0, results.Sum(r => r[2])); // no token below the name's last
        Assert.True(results.Sum(r => r[3]) == 0, "errors: " + one.Tail + " / " + two.Tail);
        var (counted, generations) = ReadBoard();
        Assert.Equal(results.Sum(r => r[0]), counted); // every increment under the lock kept
        // Names did move: some last tokens carry the generation of the table shard c joined (2) or of its removal (4).
        Assert.Contains(2L, generations);
        Assert.Contains(4L, generations);
    }

    [Fact]
    public async Task A_client_paused_through_a_whole_change_cannot_grant_a_moved_name_under_the_old_map()
    {
        var directory = fixture.Uri("?ttl=3s");
        await using var admin = ShardMapAdmin.Open(directory);
        await admin.ApplyAsync(Shards('a', 'b'));
        var moved = ShardMapAdmin.Plan(await admin.ReadMapAsync(), Shards('a', 'b', 'c'), Enumerable.Range(0, 100).Select(i => $"job-{i}")).Moves[0].Name;

        await using var paused = new HolderLines("--shard-client", directory);
        await paused.WaitForAsync(l => l == "ready", TimeSpan.FromSeconds(30));
        var before = Token(await paused.AskAsync("acquire " + moved, TimeSpan.FromSeconds(30)));
        Assert.StartsWith("released", await paused.AskAsync("release", TimeSpan.FromSeconds(10)));

        Posix.Pause(paused.Pid);
        await using var current = LockProvider.CreateSharded(directory);
        ILockHandle held;
        string answer;
        try
        {
            // The change cannot wait for the paused client: it goes on once the directory has expired its registration.
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var after = await admin.ApplyAsync(Shards('a', 'b', 'c'), cancellationToken: limit.Token);
            Assert.Equal(3, after.Epoch);
            held = await current.CreateLock(moved).AcquireAsync(TimeSpan.FromSeconds(10));
            Assert.True(held.FencingToken > before, $"token {held.FencingToken} after {before}");
            // Asked before it wakes, so it answers before its watch can bring the new map: under the old map it would
            // take the name on its old shard, where nobody holds it now.
            var asked = paused.Lines.Count;
            await paused.SendAsync("acquire " + moved);
            Posix.Resume(paused.Pid);
            answer = await paused.WaitForAsync(_ => true, TimeSpan.FromSeconds(30), asked, "answer to the first acquire after the pause");
        }
        finally
        {
            Posix.Resume(paused.Pid);
        }
        Assert.True(answer is "busy" || answer.StartsWith("error LockStoreUnavailableException", StringComparison.Ordinal), answer);
        await held.DisposeAsync();
        var again = await paused.AskAsync("acquire " + moved, TimeSpan.FromSeconds(30));
        if (again.StartsWith("error", StringComparison.Ordinal)) again = await paused.AskAsync("acquire " + moved, TimeSpan.FromSeconds(30));
        Assert.True(Token(again) > held.FencingToken, again);
        Assert.Equal("epoch 3", await paused.AskAsync("epoch", TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_frozen_directory_ends_waits_with_a_clear_error_and_reports_holds_lost_within_its_ttl()
    {
        // The directory on a server of its own (frozen below); the shards on the fixture's server, which stays up.
        var directory = $"etcd://{_shards[0].Endpoint}/dir-{Guid.NewGuid():N}?ttl=3s";
        await using (var admin = ShardMapAdmin.Open(directory))
            await admin.ApplyAsync(new Dictionary<string, string> { ["a"] = fixture.Uri(), ["b"] = fixture.Uri() });
        await using var holder = LockProvider.CreateSharded(directory);
        await using var waiter = LockProvider.CreateSharded(directory);
        var held = await holder.CreateLock("job").AcquireAsync(TimeSpan.FromSeconds(10));
        await (await waiter.CreateLock("other").AcquireAsync(TimeSpan.FromSeconds(10))).DisposeAsync(); // registered
        var waiting = waiter.CreateLock("job").AcquireAsync(TimeSpan.FromMinutes(2)).AsTask();
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Posix.Pause(_shards[0].Process.ProcessId!.Value);
        try
        {
            // Neither client can vouch for its registration past the TTL: the wait ends with an error naming the
            // directory (not a grant, not a two-minute hang), and the hold is reported lost.
            var error = await Assert.ThrowsAsync<Padlock.Stores.LockStoreUnavailableException>(async () => await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains("shard directory", error.Message);
            await Padlock.Testing.Eventually.TrueAsync(() => held.LostToken.IsCancellationRequested, "the hold reported lost", TimeSpan.FromSeconds(30));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
            // A new acquire tries to register again, and fails naming the unreachable directory.
            await Assert.ThrowsAnyAsync<Padlock.Stores.LockStoreUnavailableException>(async () => await waiter.CreateLock("x").TryAcquireAsync(TimeSpan.Zero));
        }
        finally
        {
            Posix.Resume(_shards[0].Process.ProcessId!.Value);
        }
        await held.DisposeAsync();
        // Back in touch: the next acquire registers again and is granted.
        await using var again = await waiter.CreateLock("job").AcquireAsync(TimeSpan.FromSeconds(30));
        Assert.True(again.FencingToken > held.FencingToken);
    }

    [Fact]
    public async Task A_change_to_an_unreachable_shard_is_refused_before_its_first_step()
    {
        var directory = fixture.Uri();
        await using var admin = ShardMapAdmin.Open(directory);
        var first = await admin.ApplyAsync(Shards('a'));
        var dead = new Dictionary<string, string>(Shards('a')) { ["z"] = $"etcd://127.0.0.1:{FreePort.Next()}/z?connecttimeout=1s" };
        var error = await Assert.ThrowsAsync<Padlock.Stores.LockStoreUnavailableException>(() => admin.ApplyAsync(dead));
        Assert.Contains("'z'", error.Message);
        Assert.Contains("not started", error.Message);
        Assert.Equal(first.ToJson(), (await admin.ReadMapAsync())!.ToJson());
    }

    [Fact]
    public void A_directory_that_is_not_a_consensus_store_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => LockProvider.CreateSharded("mem://"));
        Assert.Contains("consensus store", error.Message);
        Assert.Throws<ArgumentException>(() => ShardMapAdmin.Open("mem://"));
    }

    /// <summary>
    /// Applies a change while one process is frozen for 1.5 s with holds in hand: it sees the change late, as a slow
    /// machine would, so a protocol that let the others move on without it would put two holders on a moving name.
    /// </summary>
    private static async Task<ShardMap> ApplyWhilePausedAsync(ShardMapAdmin admin, Dictionary<string, string> shards, HolderLines late,
        IProgress<ShardChangeProgress> progress, CancellationToken cancellationToken)
    {
        Posix.Pause(late.Pid);
        Task<ShardMap> applying;
        try
        {
            applying = admin.ApplyAsync(shards, progress, cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(1.5), cancellationToken);
        }
        finally
        {
            Posix.Resume(late.Pid);
        }
        return await applying;
    }

    private static long Token(string line) => line.StartsWith("acquired ", StringComparison.Ordinal)
        ? long.Parse(line["acquired ".Length..], CultureInfo.InvariantCulture)
        : throw new Xunit.Sdk.XunitException("expected 'acquired TOKEN', got: " + line);

    /// <summary>Waits until each process has made 100 more grants than now: both are working under the current map.</summary>
    private static async Task WorkingAsync(params HolderLines[] processes)
    {
        foreach (var p in processes)
        {
            var start = Progress(p);
            await p.WaitForAsync(l => l.StartsWith("progress ", StringComparison.Ordinal) && long.Parse(l[9..], CultureInfo.InvariantCulture) >= start + 100,
                TimeSpan.FromSeconds(60), what: "progress of 100 grants");
        }
    }

    private static long Progress(HolderLines p)
        => p.Lines.LastOrDefault(l => l.StartsWith("progress ", StringComparison.Ordinal)) is { } l ? long.Parse(l[9..], CultureInfo.InvariantCulture) : 0;

    private static async Task<long[]> DoneAsync(HolderLines p)
    {
        var line = await p.WaitForAsync(l => l.StartsWith("done ", StringComparison.Ordinal), TimeSpan.FromSeconds(90), what: "done line");
        await p.WaitForExitAsync(TimeSpan.FromSeconds(30));
        foreach (var kind in p.Lines.Where(l => l.StartsWith("error-kind", StringComparison.Ordinal))) Console.WriteLine(kind);
        return [.. line.Split(' ').Skip(1).Select(x => long.Parse(x, CultureInfo.InvariantCulture))];
    }

    private (long Count, HashSet<long> Generations) ReadBoard()
    {
        var bytes = File.ReadAllBytes(_board);
        long count = 0;
        var generations = new HashSet<long>();
        for (var i = 0; i < Names; i++)
        {
            count += BitConverter.ToInt64(bytes, i * 32 + 8);
            var last = BitConverter.ToInt64(bytes, i * 32 + 16);
            if (last > 0) generations.Add(ShardTokens.GenerationOf(last));
        }
        return (count, generations);
    }
}
