namespace Padlock.Cli.Common;

/// <summary>
/// The store named by <see cref="Uri"/> did not answer (the library's <see cref="Padlock.Stores.LockStoreUnavailableException"/>,
/// with the URI the user typed added): one line, exit code <see cref="ExitCodes.StoreUnreachable"/>.
/// </summary>
internal sealed class StoreUnreachableException(string uri, Padlock.Stores.LockStoreUnavailableException inner)
    : Exception($"store unreachable: {StoreOpener.Shown(uri)}: {FirstLine(inner.Message)}", inner)
{
    public string Uri { get; } = uri;

    private static string FirstLine(string text)
    {
        var nl = text.IndexOfAny(['\r', '\n']);
        return nl < 0 ? text : text[..nl];
    }
}
