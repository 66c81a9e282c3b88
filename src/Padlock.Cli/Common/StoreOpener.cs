using Padlock.Stores;

namespace Padlock.Cli.Common;

/// <summary>
/// Builds providers from store URIs. A malformed URI, or a store whose package this build lacks, is a usage error; a
/// store that cannot be reached (<see cref="LockStoreUnavailableException"/>: a file-store directory that cannot be
/// created, a server that does not answer) is "unreachable". Decided by exception type, never by message text.
/// </summary>
internal static class StoreOpener
{
    /// <summary>
    /// The URI as it may be shown (output, reports, errors): a password in the user info or a <c>password</c> option
    /// replaced by <c>***</c>. Unparseable text is shown up to its query, which is where options (and secrets) start.
    /// </summary>
    public static string Shown(string uri)
    {
        try
        {
            return StoreUri.Parse(uri).Display;
        }
        catch (ArgumentException)
        {
            var at = uri.IndexOf('@');
            var q = uri.IndexOf('?');
            var cut = uri[..(q < 0 ? uri.Length : q)];
            return at >= 0 && at < cut.Length ? "(a store URI with credentials)" : cut;
        }
    }

    /// <summary>What holders started by this CLI call themselves in <c>padlock status</c>.</summary>
    public static string Owner { get; } = $"padlock@{Environment.MachineName}/{Environment.ProcessId}";

    public static LockProvider Open(string uri, Microsoft.Extensions.Logging.ILoggerFactory? logging = null)
    {
        try
        {
            return LockProvider.Create(uri, new StoreContext { OwnerDescription = Owner, LoggerFactory = logging ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"invalid store URI: {Args.Clean(ex.Message)}");
        }
        catch (StorePackageMissingException ex)
        {
            throw new UsageException(ex.Message);
        }
        catch (LockStoreUnavailableException ex)
        {
            throw new StoreUnreachableException(uri, ex);
        }
    }

    /// <summary>Checks a URI's form without opening anything (so every --store is validated before work starts).</summary>
    public static void Validate(string uri)
    {
        try
        {
            var parsed = StoreUri.Parse(uri);
            if (!LockProvider.KnownSchemes.Contains(parsed.Scheme, StringComparer.OrdinalIgnoreCase))
                throw new ArgumentException($"unknown store scheme '{parsed.Scheme}://' in '{Shown(uri)}'; known schemes: {string.Join(", ", LockProvider.KnownSchemes.Select(s => s + "://"))}");
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"invalid store URI: {Args.Clean(ex.Message)}");
        }
    }

    /// <summary>
    /// Opens and closes each store once before any work, so a bad option or a store package missing from this build is a
    /// usage error up front rather than halfway through a run. An unreachable store is left for the run to report.
    /// </summary>
    public static async Task CheckAllAsync(IEnumerable<string> uris)
    {
        foreach (var uri in uris)
        {
            Validate(uri);
            try
            {
                await using var provider = Open(uri);
            }
            catch (StoreUnreachableException)
            {
                // reported by the run, per store
            }
        }
    }

    /// <summary>True for stores whose locks exclude across OS processes (everything but mem://); the URI must be valid.</summary>
    public static bool IsCrossProcess(string uri) => !StoreUri.Parse(uri).Scheme.Equals("mem", StringComparison.OrdinalIgnoreCase);
}
