using Padlock;

/// <summary>
/// How the holder modes open a provider from their URI argument: several URIs joined by '|' are a static sharded
/// provider; <c>shards@DIRECTORY-URI</c> follows the shard map in that directory; anything else is one store.
/// </summary>
internal static class Providers
{
    public const string DirectoryPrefix = "shards@";

    public static LockProvider Open(string uri)
        => uri.StartsWith(DirectoryPrefix, StringComparison.Ordinal) ? LockProvider.CreateSharded(uri[DirectoryPrefix.Length..])
            : uri.Contains('|') ? LockProvider.CreateSharded(uri.Split('|'))
            : LockProvider.Create(uri);
}
