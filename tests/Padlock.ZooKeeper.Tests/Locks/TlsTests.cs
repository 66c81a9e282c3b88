using System.Diagnostics;
using Padlock.LocalServers;
using Padlock.Stores;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>A real ZooKeeper serving TLS on its secure client port (Netty), requiring a client certificate.</summary>
public sealed class ZooKeeperTlsFixture : IAsyncLifetime
{
    public TestCertificates Certificates { get; private set; } = null!;

    public ZooKeeperServer Server { get; private set; } = null!;

    public string SecureEndpoint => $"127.0.0.1:{Server.SecurePort}";

    public async Task InitializeAsync()
    {
        Certificates = TestCertificates.Create();
        Server = await ZooKeeperServer.StartAsync(tls: Certificates);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}

/// <summary>zk://...?tls=true with a CA and a client certificate against the secure client port.</summary>
public sealed class TlsTests(ZooKeeperTlsFixture fixture) : IClassFixture<ZooKeeperTlsFixture>
{
    private string Query => $"tls=true&cafile={Uri.EscapeDataString(fixture.Certificates.CaFile)}&certfile={Uri.EscapeDataString(fixture.Certificates.ClientCertificateFile)}&keyfile={Uri.EscapeDataString(fixture.Certificates.ClientKeyFile)}";

    [Fact]
    public async Task A_lock_is_acquired_and_released_over_tls_with_a_client_certificate()
    {
        await using var provider = LockProvider.Create($"zk://{fixture.SecureEndpoint}/tls?{Query}");
        await using (var held = await provider.CreateLock("job").TryAcquireAsync(TimeSpan.FromSeconds(10)))
            Assert.NotNull(held);
        await using var again = await provider.CreateLock("job").TryAcquireAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(again);
    }

    [Fact]
    public async Task A_plain_client_on_the_secure_port_is_an_error_naming_the_server_within_the_connect_timeout()
    {
        await using var provider = LockProvider.Create($"zk://{fixture.SecureEndpoint}/plain?connecttimeout=1s");
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<LockStoreUnavailableException>(async () => await provider.CreateLock("job").AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(fixture.SecureEndpoint, ex.Message);
        // Generous guard: the point is that it does not wait for the 30 s acquire timeout.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task A_server_certificate_from_another_ca_is_refused_within_the_connect_timeout()
    {
        var query = Query.Replace(Uri.EscapeDataString(fixture.Certificates.CaFile), Uri.EscapeDataString(fixture.Certificates.OtherCaFile), StringComparison.Ordinal);
        await using var provider = LockProvider.Create($"zk://{fixture.SecureEndpoint}/other?connecttimeout=1s&{query}");
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<LockStoreUnavailableException>(async () => await provider.CreateLock("job").AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(fixture.SecureEndpoint, ex.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void A_missing_certificate_file_is_an_ArgumentException_naming_the_option()
    {
        var missing = Path.Combine(fixture.Certificates.Directory, "nope.pem");
        var ex = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create($"zk://u:s3cret@{fixture.SecureEndpoint}/x?tls=true&certfile={Uri.EscapeDataString(missing)}"));
        Assert.Contains("certfile", ex.Message);
        Assert.DoesNotContain("s3cret", ex.Message);
        Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create($"zk://{fixture.SecureEndpoint}/x?cafile=/ca.pem"));
    }
}
