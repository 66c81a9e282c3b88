using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Padlock.Sharding;
using Xunit;

namespace Padlock.Etcd.Tests.Sharding;

/// <summary>A provider that follows a shard map, registered from configuration (<c>ShardDirectory</c>), on a real etcd.</summary>
[Collection("etcd")]
public sealed class ShardDirectoryConfigurationTests(EtcdFixture fixture)
{
    [Fact]
    public async Task A_ShardDirectory_key_registers_a_provider_that_follows_the_map()
    {
        var directory = fixture.Uri();
        await using (var admin = ShardMapAdmin.Open(directory))
            await admin.ApplyAsync(new Dictionary<string, string> { ["a"] = fixture.Uri(), ["b"] = fixture.Uri() });
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Padlock:ShardDirectory"] = directory, ["Padlock:Options:ttl"] = "5s" })
            .Build();
        await using var sp = new ServiceCollection().AddPadlock(configuration.GetSection("Padlock")).BuildServiceProvider();
        var provider = sp.GetRequiredService<ILockProvider>();
        Assert.Equal("sharded", provider.StoreKind);
        await using var handle = await provider.CreateLock("order-1").AcquireAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, ShardTokens.GenerationOf(handle.FencingToken));
    }

    [Fact]
    public void A_ShardDirectory_that_is_not_a_consensus_store_or_beside_a_Uri_is_refused_at_registration()
    {
        ArgumentException Refused(params (string Key, string Value)[] pairs)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(pairs.ToDictionary(p => "Padlock:" + p.Key, p => (string?)p.Value)).Build();
            return Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddPadlock(configuration.GetSection("Padlock")));
        }
        Assert.Contains("zk:// or etcd://", Refused(("ShardDirectory", "mem://")).Message);
        Assert.Contains("not both", Refused(("ShardDirectory", fixture.Uri()), ("Uri", "mem://")).Message);
        Assert.Contains("ShardDirectory", Refused(("Shards", "x")).Message);
    }
}
