namespace Padlock.Cli.Common;

/// <summary>The store named by <see cref="Uri"/> did not answer: one line, exit code <see cref="ExitCodes.StoreUnreachable"/>.</summary>
internal sealed class StoreUnreachableException(string uri, Exception inner)
    : Exception($"store unreachable: {uri}: {FirstLine(inner.Message)}", inner)
{
    public string Uri { get; } = uri;

    private static string FirstLine(string text)
    {
        var nl = text.IndexOfAny(['\r', '\n']);
        return nl < 0 ? text : text[..nl];
    }
}
