namespace Padlock.Stores;

/// <summary>
/// The URI names a known store whose package this application does not reference (e.g. <c>redis://</c> without
/// Padlock.Redis). The URI itself is fine; the application's build lacks the store, so this is a
/// <see cref="NotSupportedException"/> (not an <see cref="ArgumentException"/>): add the package named in
/// <see cref="PackageName"/>.
/// </summary>
public sealed class StorePackageMissingException : NotSupportedException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="scheme">The URI scheme asked for, e.g. <c>redis</c>.</param>
    /// <param name="packageName">The NuGet package that provides it, e.g. <c>Padlock.Redis</c>.</param>
    public StorePackageMissingException(string scheme, string packageName)
        : base($"The {scheme}:// store lives in the {packageName} package, which this application does not reference; add a reference to {packageName}.")
    {
        Scheme = scheme;
        PackageName = packageName;
    }

    /// <summary>The URI scheme asked for, e.g. <c>redis</c>.</summary>
    public string Scheme { get; }

    /// <summary>The package to reference, e.g. <c>Padlock.Redis</c>.</summary>
    public string PackageName { get; }
}
