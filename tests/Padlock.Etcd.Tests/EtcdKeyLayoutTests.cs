using Padlock.Etcd.Mutex;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>
/// Issue 15, item 10: the keys of two different (prefix, name) pairs never overlap, so one lock is never busy
/// because of another, even when one prefix nests inside the other or a name contains '/', '%' or '#'.
/// </summary>
[Collection("etcd")]
public sealed class EtcdKeyLayoutTests(EtcdFixture fixture)
{
    // Pairs that collided, or would under a careless layout: (prefix, name) against (prefix, name).
    public static TheoryData<string, string, string, string> Pairs => new()
    {
        { "ns/x", "y", "ns", "x" },       // the report: y on etcd://h/ns/x made x on etcd://h/ns busy
        { "ns", "x/y", "ns/x", "y" },     // a name with '/' against a deeper prefix
        { "ns", "x", "ns", "x/y" },
        { "ns", "x%2Fy", "ns", "x/y" },   // an escape sequence written literally
        { "ns/x", "y", "ns", "x/#/y" },   // a name that spells out the marker
        { "ns", "#", "ns", "#/x" },
        { "ns", "x", "ns/x%2F", "y" },    // a prefix that spells out an escape
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public async Task Holding_one_lock_never_makes_another_pairs_lock_busy(string prefix1, string name1, string prefix2, string name2)
    {
        var root = "t-" + Guid.NewGuid().ToString("N")[..8];
        await using var first = Provider(root + "/" + prefix1);
        await using var second = Provider(root + "/" + prefix2);
        await using (var held = await first.CreateLock(name1).AcquireAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.False((await ((EtcdLockStore)second.Store).InspectAsync(name2)).IsHeld);
            await using var other = await second.CreateLock(name2).TryAcquireAsync();
            Assert.NotNull(other);
            var status = await ((EtcdLockStore)first.Store).InspectAsync(name1);
            Assert.Equal(held.FencingToken, status.FencingToken);
            Assert.Empty(status.Waiters!);
        }
        await using (var held = await second.CreateLock(name2).AcquireAsync(TimeSpan.FromSeconds(10)))
        {
            await using var other = await first.CreateLock(name1).TryAcquireAsync();
            Assert.NotNull(other);
        }
    }

    [Theory]
    [InlineData("ns#x")]
    [InlineData("ns/#")]
    [InlineData("#")]
    public void A_prefix_with_the_marker_character_is_rejected_naming_it(string prefix)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new EtcdLockStore(new EtcdLockOptions { Prefix = prefix }));
        Assert.Contains("'#'", ex.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create($"etcd://127.0.0.1:2379/{prefix.Replace("#", "%23", StringComparison.Ordinal)}"));
    }

    [Fact]
    public void No_lock_prefix_is_a_prefix_of_another_pairs()
    {
        string[] prefixes = ["a", "a/b", "a/b/c", "a%2Fb", "a/%", "a//b", "a/b%"];
        string[] names = ["b", "c", "b/c", "b%2Fc", "#", "#/b", "b/#/c", "%", "%25", "c/", "/c", "é", "b c"];
        var keys = (from p in prefixes from n in names select (p, n, Key: LockKeys.PrefixOf(p, n).ToStringUtf8())).ToList();
        foreach (var x in keys)
        {
            foreach (var y in keys)
            {
                if ((x.p, x.n) == (y.p, y.n)) continue;
                Assert.False(y.Key.StartsWith(x.Key, StringComparison.Ordinal), $"({x.p}, {x.n}) -> {x.Key} covers ({y.p}, {y.n}) -> {y.Key}");
            }
        }
    }

    private LockProvider Provider(string prefix) => new(new EtcdLockStore(new EtcdLockOptions
    {
        Endpoints = { fixture.Server.Endpoint },
        Prefix = prefix,
    }));
}
