using System.Globalization;

namespace Padlock.Stores;

/// <summary>A numeric option of a store (a fraction, a factor) with its default and inclusive range (see <see cref="StoreSetting"/>).</summary>
public sealed class NumberSetting : StoreSetting
{
    /// <summary>Declares the option.</summary>
    /// <param name="optionsType">The options class, for messages.</param>
    /// <param name="property">The options property.</param>
    /// <param name="uriKey">The URI query key.</param>
    /// <param name="defaultValue">The default.</param>
    /// <param name="min">The smallest allowed value.</param>
    /// <param name="max">The largest allowed value.</param>
    public NumberSetting(string optionsType, string property, string uriKey, double defaultValue, double min, double max)
        : base(optionsType, property, uriKey)
    {
        if (!(min <= max && defaultValue >= min && defaultValue <= max))
            throw new ArgumentException($"The range {Format(min)} to {Format(max)} of {optionsType}.{property} must hold its default {Format(defaultValue)}.", nameof(defaultValue));
        Default = defaultValue;
        Min = min;
        Max = max;
    }

    /// <summary>The default.</summary>
    public double Default { get; }

    /// <summary>The smallest allowed value.</summary>
    public double Min { get; }

    /// <summary>The largest allowed value.</summary>
    public double Max { get; }

    /// <inheritdoc/>
    public override string Range => $"{Format(Min)} to {Format(Max)}";

    /// <inheritdoc/>
    public override string DefaultText => Format(Default);

    /// <summary>The value of <see cref="StoreSetting.UriKey"/> in <paramref name="uri"/>, or the default; a bad or out-of-range value is an <see cref="ArgumentException"/> naming the URI.</summary>
    public double Read(StoreUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.GetNumber(UriKey, Default, Min, Max);
    }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the property and the range when <paramref name="value"/> is outside it; with <paramref name="uri"/>, an <see cref="ArgumentException"/> naming the URI (or NaN).</summary>
    public void Check(double value, string? uri = null)
    {
        if (!(value >= Min && value <= Max)) throw OutOfRange(value, Format(value), uri);
    }

    internal static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
