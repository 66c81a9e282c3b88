using Padlock.FileSystem;
using Padlock.Stores;
using Padlock.Testing.Options;
using Xunit;

namespace Padlock.Tests.FileSystem;

/// <summary>FileLockOptions and the file:// URI read one declaration of each default and range.</summary>
public sealed class FileSettingsTests
{
    public static TheoryData<string> Settings => [.. FileLockOptions.Settings.Select(s => s.Property)];

    [Theory]
    [MemberData(nameof(Settings))]
    public void The_default_and_range_agree_between_the_initializer_the_xml_doc_and_the_uri(string property)
    {
        StoreSetting setting = FileLockOptions.Settings.Single(s => s.Property == property);
        var dir = Path.Combine(Path.GetTempPath(), "padlock-settings-" + Guid.NewGuid().ToString("N"));
        SettingChecks.InitialValueIsTheDefault(new FileLockOptions(), setting);
        SettingChecks.DocStatesDefaultAndRange(typeof(FileLockOptions), setting);
        SettingChecks.OutsideTheRangeFailsInBothForms(
            setting,
            () => new FileLockOptions { Directory = dir },
            o => _ = new FileLockStore((FileLockOptions)o),
            query => $"file://{dir}?{query}");
        Assert.False(Directory.Exists(dir), "a refused option creates nothing");
    }

    [Fact]
    public void An_uncreatable_directory_is_LockStoreUnavailableException_naming_it()
    {
        var ex = Assert.Throws<LockStoreUnavailableException>(() => LockProvider.Create("file:///dev/null/padlock-locks"));
        Assert.Contains("/dev/null/padlock-locks", ex.Message, StringComparison.Ordinal);
        Assert.Equal("file", ex.StoreKind);
        Assert.IsAssignableFrom<IOException>(ex);
    }
}
