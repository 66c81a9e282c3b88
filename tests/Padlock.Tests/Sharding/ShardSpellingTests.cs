using Padlock.Sharding;
using Xunit;

namespace Padlock.Tests.Sharding;

/// <summary>
/// Placement depends on a store's identity, never on how its URI is spelt: two processes that write the same store
/// differently must send every name to the same shard, or both are granted it (63 of 200 names were, with one file
/// directory written with a trailing slash).
/// </summary>
public sealed class ShardSpellingTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "padlock-tests", "spelling-" + Guid.NewGuid().ToString("N")[..8]);

    private static readonly string[] Names = [.. Enumerable.Range(0, 200).Select(i => $"job-{i}")];

    [Fact]
    public async Task The_same_directories_spelt_differently_never_grant_a_name_twice()
    {
        Directory.CreateDirectory(Path.Combine(_root, "s0"));
        Directory.CreateDirectory(Path.Combine(_root, "real1"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "s1"), Path.Combine(_root, "real1"));
        await using var a = LockProvider.CreateSharded([$"file://{_root}/s0", $"file://{_root}/real1", $"file://{_root}/s2"]);
        await using var b = LockProvider.CreateSharded([$"file://{_root}/s2/", $"file://{_root}/s1?losscheck=5s", $"file://{_root}/x/../s0//"]);
        var held = new List<ILockHandle>();
        foreach (var name in Names) held.Add((await a.CreateLock(name).TryAcquireAsync())!);
        Assert.DoesNotContain(null, held);
        var doubled = 0;
        foreach (var name in Names)
        {
            await using var h = await b.CreateLock(name).TryAcquireAsync();
            if (h is not null) doubled++;
        }
        Assert.Equal(0, doubled);
        foreach (var h in held) await h.DisposeAsync();
    }

    [Fact]
    public void One_store_listed_twice_in_two_spellings_is_an_ArgumentException()
    {
        var ex = Assert.Throws<ArgumentException>(() => LockProvider.CreateSharded([$"file://{_root}/d", $"file://{_root}/d/"]));
        Assert.Contains("listed twice", ex.Message);
        Assert.Contains("same store", ex.Message);
    }

    [Fact]
    public async Task Named_shards_place_by_name_so_different_spellings_of_hosts_agree()
    {
        // Two machines reaching one store under different host names cannot be told apart by the URIs: naming the
        // shards makes placement depend on the names alone.
        await using var a = LockProvider.CreateSharded(new Dictionary<string, string> { ["east"] = $"file://{_root}/e", ["west"] = $"file://{_root}/w" });
        await using var b = LockProvider.CreateSharded(new Dictionary<string, string> { ["west"] = $"file://{_root}/w/", ["east"] = $"file://{_root}/./e" });
        var sa = (ShardedLockStore)((LockProvider)a).Store;
        var sb = (ShardedLockStore)((LockProvider)b).Store;
        Assert.All(Names, n => Assert.Equal(sa.ShardFor(n), sb.ShardFor(n)));
        Assert.Equal(["east", "west"], sa.ShardIds.Order());
        Assert.Throws<ArgumentException>(() => LockProvider.CreateSharded(new Dictionary<string, string> { ["a"] = $"file://{_root}/e", ["b"] = $"file://{_root}/e/" }));
        Assert.Throws<ArgumentException>(() => LockProvider.CreateSharded(new Dictionary<string, string> { [" "] = $"file://{_root}/e" }));
        Assert.Throws<ArgumentException>(() => LockProvider.CreateSharded(new Dictionary<string, string>()));
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
