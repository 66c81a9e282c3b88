using System.Globalization;
using System.Reflection;
using System.Xml.Linq;
using Padlock.Stores;
using Xunit;

namespace Padlock.Testing.Options;

/// <summary>
/// Checks that an options type and its URI agree with the settings it declares: the property's initial value is the
/// default, its XML doc states the default and range, and a value just outside the range fails with the range in the
/// message in both the typed form and the URI form.
/// </summary>
public static class SettingChecks
{
    /// <summary>The property's XML doc (from the assembly's documentation file) states <see cref="StoreSetting.DocText"/>.</summary>
    public static void DocStatesDefaultAndRange(Type optionsType, StoreSetting setting)
    {
        var xml = Path.ChangeExtension(optionsType.Assembly.Location, ".xml");
        Assert.True(File.Exists(xml), $"{xml} is missing: the build writes it (GenerateDocumentationFile)");
        var member = XDocument.Load(xml).Descendants("member")
            .SingleOrDefault(m => (string?)m.Attribute("name") == $"P:{optionsType.FullName}.{setting.Property}");
        Assert.True(member is not null, $"no XML doc for {optionsType.Name}.{setting.Property}");
        var summary = string.Join(' ', member!.Element("summary")!.Value.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(setting.DocText, summary, StringComparison.Ordinal);
    }

    /// <summary>A fresh options object carries the declared default.</summary>
    public static void InitialValueIsTheDefault(object freshOptions, StoreSetting setting)
    {
        var actual = freshOptions.GetType().GetProperty(setting.Property, BindingFlags.Public | BindingFlags.Instance)!.GetValue(freshOptions);
        object expected = setting switch
        {
            DurationSetting d => d.Default,
            // A whole-number option (a count) is an int property declared by a NumberSetting.
            NumberSetting n when actual is int => (int)n.Default,
            NumberSetting n => n.Default,
            _ => throw new NotSupportedException(setting.GetType().Name),
        };
        Assert.Equal(expected, actual);
    }

    /// <summary>The values just below the minimum and just above the maximum, as typed values and as URI text.</summary>
    public static IEnumerable<(object Value, string UriText)> JustOutside(StoreSetting setting, Type? propertyType = null) => setting switch
    {
        // A range from zero has nothing below it that a URI could write (a duration is never negative).
        DurationSetting d when d.Min == TimeSpan.Zero => [Duration(d.Max + TimeSpan.FromMilliseconds(1))],
        DurationSetting d => [Duration(d.Min - TimeSpan.FromMilliseconds(1)), Duration(d.Max + TimeSpan.FromMilliseconds(1))],
        NumberSetting n when propertyType == typeof(int) => [((int)n.Min - 1, ((int)n.Min - 1).ToString(CultureInfo.InvariantCulture)),
            ((int)n.Max + 1, ((int)n.Max + 1).ToString(CultureInfo.InvariantCulture))],
        NumberSetting n => [Number(n.Min - 0.001), Number(n.Max + 0.001)],
        _ => throw new NotSupportedException(setting.GetType().Name),
    };

    /// <summary>
    /// Each value just outside the range fails in both forms, both messages carrying "out of range: allowed RANGE":
    /// <paramref name="build"/> builds a store from typed options, <paramref name="uriWith"/> makes a URI with the option set.
    /// </summary>
    public static void OutsideTheRangeFailsInBothForms(StoreSetting setting, Func<object> newOptions, Action<object> build, Func<string, string> uriWith)
    {
        var expected = $"out of range: allowed {setting.Range}";
        var propertyType = newOptions().GetType().GetProperty(setting.Property)!.PropertyType;
        foreach (var (value, text) in JustOutside(setting, propertyType))
        {
            var options = newOptions();
            options.GetType().GetProperty(setting.Property)!.SetValue(options, value);
            var typed = Assert.Throws<ArgumentOutOfRangeException>(() => build(options));
            Assert.Equal(setting.Property, typed.ParamName);
            Assert.Contains(expected, typed.Message, StringComparison.Ordinal);

            var uri = uriWith($"{setting.UriKey}={text}");
            var fromUri = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create(uri));
            Assert.Equal("uri", fromUri.ParamName);
            Assert.Contains(expected, fromUri.Message, StringComparison.Ordinal);
            Assert.Contains(uri, fromUri.Message, StringComparison.Ordinal);
        }
    }

    private static (object, string) Duration(TimeSpan value)
        => (value, value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms");

    private static (object, string) Number(double value)
        => (value, value.ToString("0.###", CultureInfo.InvariantCulture));
}
