namespace Padlock.Sharding.Directory;

/// <summary>The rule for a directory client id (see <c>IShardDirectory.RegisterAsync</c>): safe as an etcd key's last segment and a ZooKeeper node name; kept by the core for both.</summary>
internal static class ClientIds
{
    public const int MaxLength = 200;

    public static void Validate(string clientId, string paramName)
    {
        ArgumentNullException.ThrowIfNull(clientId, paramName);
        if (clientId.Length is 0 or > MaxLength || !clientId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') || clientId is "." or "..")
            throw new ArgumentException(
                $"The client id '{clientId}' is not allowed: use 1 to {MaxLength} letters, digits, '-', '_' and '.' (not '.' or '..' alone).", paramName);
    }
}
