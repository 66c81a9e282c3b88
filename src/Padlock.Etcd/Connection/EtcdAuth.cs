using System.Security.Authentication;
using Etcdserverpb;
using Grpc.Core;

namespace Padlock.Etcd.Connection;

/// <summary>
/// etcd's user/password authentication: a token from <c>Auth.Authenticate</c>, sent as the <c>token</c> header of
/// every request, and fetched again when etcd says it is no longer valid (it expires after the server's
/// <c>--auth-token-ttl</c> of disuse, or when the server restarts).
/// </summary>
internal sealed class EtcdAuth(string user, string password)
{
    private string? _token;

    /// <summary>The token in force, or null before the first authentication (or after one was found invalid).</summary>
    public string? Token => Volatile.Read(ref _token);

    /// <summary>The header etcd reads the token from.</summary>
    public const string Header = "token";

    /// <summary>Authenticates through <paramref name="raw"/> (an invoker without the token header).</summary>
    /// <exception cref="AuthenticationException">etcd refused the user or password; the message names the user and endpoint, never the password.</exception>
    public async Task AuthenticateAsync(CallInvoker raw, CallOptions options, string endpoint)
    {
        try
        {
            var response = await new Auth.AuthClient(raw).AuthenticateAsync(new AuthenticateRequest { Name = user, Password = password }, options).ResponseAsync.ConfigureAwait(false);
            Volatile.Write(ref _token, response.Token);
        }
        catch (RpcException ex) when (IsRefused(ex))
        {
            throw new AuthenticationException(
                $"etcd at {endpoint} refused user '{user}': {ex.Status.Detail}. Check the user and password (etcd://user:password@host, percent-encoded), and that authentication is enabled on the cluster.", ex);
        }
    }

    /// <summary>Forgets <paramref name="token"/> if it is still the one in force, so the next request authenticates again.</summary>
    public void Invalidate(string? token)
    {
        if (token is not null) Interlocked.CompareExchange(ref _token, null, token);
    }

    /// <summary>Adds the token header to a request's headers.</summary>
    public Metadata AddTo(Metadata? headers)
    {
        headers ??= [];
        if (Token is { } token) headers.Add(Header, token);
        return headers;
    }

    /// <summary>An answer that means "this token is stale": authenticate again and repeat.</summary>
    public static bool IsStaleToken(RpcException ex)
        => ex.StatusCode == StatusCode.Unauthenticated && ex.Status.Detail.Contains("token", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The error for a request refused for who is asking rather than for what it asks: a failed TLS handshake (either
    /// side's certificate), or a cluster with authentication enabled and no user given. Null for anything else.
    /// </summary>
    public static AuthenticationException? Refusal(RpcException ex, string endpoint, bool hasUser)
    {
        for (Exception? e = ex.Status.DebugException; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException tls)
                return new AuthenticationException(
                    $"The TLS handshake with etcd at {endpoint} failed: {tls.Message} Check that the member's certificate is signed by a trusted CA (cafile) and carries the host name or IP address connected to, and that the client certificate (certfile, keyfile) is one the cluster accepts.", ex);
        }
        if (!hasUser && ex.StatusCode is StatusCode.InvalidArgument or StatusCode.PermissionDenied or StatusCode.Unauthenticated
            && ex.Status.Detail.Contains("user name is empty", StringComparison.OrdinalIgnoreCase))
            return new AuthenticationException($"etcd at {endpoint} has authentication enabled and no user was given: use etcd://user:password@host (percent-encoded). Server said: {ex.Status.Detail}", ex);
        return null;
    }

    // Wrong name or password, or authentication not enabled: asking again will not help.
    private static bool IsRefused(RpcException ex)
        => ex.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.PermissionDenied or StatusCode.Unauthenticated;
}
