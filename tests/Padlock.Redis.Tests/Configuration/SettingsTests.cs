using Padlock.Stores;
using Padlock.Testing.Options;
using Xunit;

namespace Padlock.Redis.Tests.Configuration;

/// <summary>RedisLockOptions and the redis:// / redlock:// URIs read one declaration of each default and range.</summary>
public sealed class SettingsTests
{
    public static TheoryData<string> Settings => [.. RedisLockOptions.Settings.Select(s => s.Property)];

    private static StoreSetting Setting(string property) => RedisLockOptions.Settings.Single(s => s.Property == property);

    [Theory]
    [MemberData(nameof(Settings))]
    public void The_default_and_range_agree_between_the_initializer_the_xml_doc_and_the_uri(string property)
    {
        var setting = Setting(property);
        SettingChecks.InitialValueIsTheDefault(new RedisLockOptions(), setting);
        SettingChecks.DocStatesDefaultAndRange(typeof(RedisLockOptions), setting);
        // The drift is Redlock's own option; the rest are shared by both schemes.
        var redlock = property == nameof(RedisLockOptions.ClockDriftFactor);
        SettingChecks.OutsideTheRangeFailsInBothForms(
            setting,
            () => new RedisLockOptions { Endpoints = redlock ? ["a:1", "b:1", "c:1"] : ["h:1"] },
            o => _ = redlock ? (ILockStore)new RedlockLockStore((RedisLockOptions)o) : new RedisLockStore((RedisLockOptions)o),
            query => redlock ? $"redlock://a:1,b:1,c:1?{query}" : $"redis://h:1?{query}");
    }

    [Fact]
    public void The_store_keeps_a_copy_of_the_options()
    {
        var options = new RedisLockOptions { Endpoints = ["h:1"], KeyPrefix = "mine:" };
        var store = new RedisLockStore(options);
        options.KeyPrefix = "changed:";
        options.Endpoints.Add("other:2");
        Assert.Equal("mine:", store.KeyPrefix);
    }
}
