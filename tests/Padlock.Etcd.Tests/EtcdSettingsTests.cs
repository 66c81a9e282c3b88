using Padlock.Stores;
using Padlock.Testing.Options;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>EtcdLockOptions and the etcd:// URI read one declaration of each default and range; options are not changed or shared.</summary>
public sealed class EtcdSettingsTests
{
    public static TheoryData<string> Settings => [.. EtcdLockOptions.Settings.Select(s => s.Property)];

    [Theory]
    [MemberData(nameof(Settings))]
    public void The_default_and_range_agree_between_the_initializer_the_xml_doc_and_the_uri(string property)
    {
        StoreSetting setting = EtcdLockOptions.Settings.Single(s => s.Property == property);
        SettingChecks.InitialValueIsTheDefault(new EtcdLockOptions(), setting);
        SettingChecks.DocStatesDefaultAndRange(typeof(EtcdLockOptions), setting);
        SettingChecks.OutsideTheRangeFailsInBothForms(
            setting,
            () => new EtcdLockOptions(),
            o => _ = new EtcdLockStore((EtcdLockOptions)o),
            query => $"etcd://h:1/x?{query}");
    }

    [Fact]
    public async Task Building_a_store_leaves_the_callers_options_unchanged_and_unshared()
    {
        var options = new EtcdLockOptions { Prefix = "mine" };
        await using var store = new EtcdLockStore(options);
        Assert.Empty(options.Endpoints); // the default endpoint is the store's, not written into the caller's list
        Assert.Equal(["127.0.0.1:2379"], store.Endpoints);
        options.Prefix = "changed";
        options.Endpoints.Add("other:1");
        Assert.Equal("mine", store.Prefix);
        Assert.Equal(["127.0.0.1:2379"], store.Endpoints);
    }
}
