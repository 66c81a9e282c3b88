namespace Padlock.Stores;

/// <summary>A duration option of a store with its default and inclusive range (see <see cref="StoreSetting"/>).</summary>
public sealed class DurationSetting : StoreSetting
{
    /// <summary>Declares the option.</summary>
    /// <param name="optionsType">The options class, for messages.</param>
    /// <param name="property">The options property.</param>
    /// <param name="uriKey">The URI query key.</param>
    /// <param name="defaultValue">The default.</param>
    /// <param name="min">The smallest allowed value.</param>
    /// <param name="max">The largest allowed value.</param>
    public DurationSetting(string optionsType, string property, string uriKey, TimeSpan defaultValue, TimeSpan min, TimeSpan max)
        : base(optionsType, property, uriKey)
    {
        if (min > max || defaultValue < min || defaultValue > max)
            throw new ArgumentException($"The range {Durations.Format(min)} to {Durations.Format(max)} of {optionsType}.{property} must hold its default {Durations.Format(defaultValue)}.", nameof(defaultValue));
        Default = defaultValue;
        Min = min;
        Max = max;
    }

    /// <summary>The default.</summary>
    public TimeSpan Default { get; }

    /// <summary>The smallest allowed value.</summary>
    public TimeSpan Min { get; }

    /// <summary>The largest allowed value.</summary>
    public TimeSpan Max { get; }

    /// <inheritdoc/>
    public override string Range => $"{Durations.Format(Min)} to {Durations.Format(Max)}";

    /// <inheritdoc/>
    public override string DefaultText => Durations.Format(Default);

    /// <summary>The value of <see cref="StoreSetting.UriKey"/> in <paramref name="uri"/>, or the default; out of range is an <see cref="ArgumentException"/> naming the URI.</summary>
    public TimeSpan Read(StoreUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.GetDuration(UriKey, Default, Min, Max);
    }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the property and the range when <paramref name="value"/> is outside it; with <paramref name="uri"/>, an <see cref="ArgumentException"/> naming the URI.</summary>
    public void Check(TimeSpan value, string? uri = null)
    {
        if (value < Min || value > Max) throw OutOfRange(value, Exact(value), uri);
    }

    // Durations.Format rounds (1h + 1s prints as "1h"); an error must show the value it refused.
    private static string Exact(TimeSpan value)
    {
        var text = Durations.Format(value);
        return Durations.TryParse(text, out var back) && back == value
            ? text
            : value.TotalMilliseconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "ms";
    }
}
