namespace Padlock.Stores;

/// <summary>
/// One option of a store, declared once: the options property it sets, its URI query key, its default and its allowed
/// range. The typed options' validation and the URI factory both read it, and a test checks the property's XML doc
/// against <see cref="DocText"/>, so the three cannot drift apart. See <see cref="DurationSetting"/> and <see cref="NumberSetting"/>.
/// </summary>
public abstract class StoreSetting
{
    private protected StoreSetting(string optionsType, string property, string uriKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(optionsType);
        ArgumentException.ThrowIfNullOrWhiteSpace(property);
        ArgumentException.ThrowIfNullOrWhiteSpace(uriKey);
        OptionsType = optionsType;
        Property = property;
        UriKey = uriKey;
    }

    /// <summary>The options class, for messages, e.g. <c>RedisLockOptions</c>.</summary>
    public string OptionsType { get; }

    /// <summary>The property of the options class, e.g. <c>Lease</c>.</summary>
    public string Property { get; }

    /// <summary>The URI query key, lower case, e.g. <c>lease</c>.</summary>
    public string UriKey { get; }

    /// <summary>The allowed range as messages and docs write it, e.g. <c>100ms to 1h</c>.</summary>
    public abstract string Range { get; }

    /// <summary>The default as messages and docs write it, e.g. <c>30s</c>.</summary>
    public abstract string DefaultText { get; }

    /// <summary>The sentence the property's XML doc must contain: <c>Default 30s; 100ms to 1h. URI: lease.</c></summary>
    public string DocText => $"Default {DefaultText}; {Range}. URI: {UriKey}.";

    /// <summary>
    /// The error for a value outside the range; the message has the same "out of range: allowed ..." as the URI's.
    /// With <paramref name="uri"/> (options built from a URI) it names the URI and its parameter is "uri".
    /// </summary>
    private protected ArgumentException OutOfRange(object value, string valueText, string? uri)
    {
        var text = $"{OptionsType}.{Property} = {valueText} is out of range: allowed {Range} (URI option '{UriKey}').";
        return uri is null ? new ArgumentOutOfRangeException(Property, value, text) : new ArgumentException($"{text} In '{uri}'.", "uri");
    }
}
