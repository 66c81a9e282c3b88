using Padlock.Stores;
using Padlock.Testing.Options;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>ZooKeeperLockOptions and the zk:// URI read one declaration of each default and range.</summary>
public sealed class SettingsTests
{
    public static TheoryData<string> Settings => [.. ZooKeeperLockOptions.Settings.Select(s => s.Property)];

    [Theory]
    [MemberData(nameof(Settings))]
    public void The_default_and_range_agree_between_the_initializer_the_xml_doc_and_the_uri(string property)
    {
        StoreSetting setting = ZooKeeperLockOptions.Settings.Single(s => s.Property == property);
        SettingChecks.InitialValueIsTheDefault(new ZooKeeperLockOptions(), setting);
        SettingChecks.DocStatesDefaultAndRange(typeof(ZooKeeperLockOptions), setting);
        SettingChecks.OutsideTheRangeFailsInBothForms(
            setting,
            () => new ZooKeeperLockOptions { Servers = ["h:1"] },
            o => _ = new ZooKeeperLockStore((ZooKeeperLockOptions)o),
            query => $"zk://h:1/x?{query}");
    }

    [Fact]
    public void The_store_keeps_a_copy_of_the_options()
    {
        var options = new ZooKeeperLockOptions { Servers = ["h:1"], Root = "/mine" };
        var store = new ZooKeeperLockStore(options);
        options.Root = "/changed";
        options.Servers.Clear();
        Assert.Equal("/mine/x", store.ParentPath("x"));
    }
}
