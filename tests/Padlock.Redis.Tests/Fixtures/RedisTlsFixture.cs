using System.Globalization;
using Padlock.LocalServers;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Fixtures;

/// <summary>
/// Three real redis-servers that speak TLS on a second port (certificates made by <see cref="TestCertificates"/>) and
/// require a client certificate there; the plain port stays for the admin connection. Each has the ACL user
/// <see cref="User"/> with <see cref="Password"/>; the default user needs a password as well.
/// </summary>
public sealed class RedisTlsFixture : IAsyncLifetime
{
    public const string User = "app";

    public const string Password = "tls-s3cret";

    private const string AdminPassword = "admin-pw";

    public TestCertificates Certificates { get; private set; } = null!;

    public List<(RedisServer Server, int TlsPort)> Servers { get; } = [];

    public ConnectionMultiplexer Admin { get; private set; } = null!;

    /// <summary>"127.0.0.1:tlsport" of the first server.</summary>
    public string TlsEndpoint => $"127.0.0.1:{Servers[0].TlsPort}";

    /// <summary>The query that trusts the test CA and presents the client certificate.</summary>
    public string TlsQuery => $"cafile={Uri.EscapeDataString(Certificates.CaFile)}&certfile={Uri.EscapeDataString(Certificates.ClientCertificateFile)}&keyfile={Uri.EscapeDataString(Certificates.ClientKeyFile)}";

    public async Task InitializeAsync()
    {
        Certificates = TestCertificates.Create();
        for (var i = 0; i < 3; i++)
        {
            var tlsPort = FreePort.Next();
            var server = await RedisServer.StartAsync(extraArgs:
            [
                "--tls-port", tlsPort.ToString(CultureInfo.InvariantCulture),
                "--tls-cert-file", Certificates.ServerCertificateFile, "--tls-key-file", Certificates.ServerKeyFile,
                "--tls-ca-cert-file", Certificates.CaFile, "--tls-auth-clients", "yes",
            ]);
            Servers.Add((server, tlsPort));
            await using var admin = await ConnectionMultiplexer.ConnectAsync(server.Endpoint);
            await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", User, "on", ">" + Password, "~*", "&*", "+@all");
            // The default user gets a password too: otherwise a client whose AUTH is refused may go on as the default user.
            await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", "default", "resetpass", ">" + AdminPassword);
        }
        Admin = await ConnectionMultiplexer.ConnectAsync($"{Servers[0].Server.Endpoint},password={AdminPassword}");
    }

    public async Task DisposeAsync()
    {
        if (Admin is not null) await Admin.DisposeAsync();
        foreach (var (server, _) in Servers) await server.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RedisTlsCollection : ICollectionFixture<RedisTlsFixture>
{
    public const string Name = "redis-tls";
}
