using System.Diagnostics;
using System.Security.Authentication;
using Etcdserverpb;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Padlock.LocalServers;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>Two real etcd members: one serving https and requiring a client certificate, one with authentication enabled.</summary>
public sealed class EtcdSecurityFixture : IAsyncLifetime
{
    public const string RootPassword = "r00t-s3cret";

    public TestCertificates Certificates { get; private set; } = null!;

    public EtcdServer TlsServer { get; private set; } = null!;

    public EtcdServer AuthServer { get; private set; } = null!;

    public string TlsQuery(string? ca = null) =>
        $"tls=true&cafile={Uri.EscapeDataString(ca ?? Certificates.CaFile)}&certfile={Uri.EscapeDataString(Certificates.ClientCertificateFile)}&keyfile={Uri.EscapeDataString(Certificates.ClientKeyFile)}";

    public async Task InitializeAsync()
    {
        Certificates = TestCertificates.Create();
        TlsServer = await EtcdServer.StartAsync(Certificates);
        AuthServer = await EtcdServer.StartAsync();
        await AuthServer.EnableAuthenticationAsync(RootPassword);
    }

    public async Task DisposeAsync()
    {
        if (TlsServer is not null) await TlsServer.DisposeAsync();
        if (AuthServer is not null) await AuthServer.DisposeAsync();
    }
}

/// <summary>TLS (https, CA, client certificate) and user/password authentication against real members configured for them.</summary>
public sealed class EtcdSecurityTests(EtcdSecurityFixture fixture) : IClassFixture<EtcdSecurityFixture>
{
    private static string Name() => "sec-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_lock_is_acquired_and_released_over_tls_with_a_client_certificate()
    {
        await using var provider = LockProvider.Create($"etcd://{fixture.TlsServer.Endpoint}/tls?{fixture.TlsQuery()}");
        var name = Name();
        await using (var held = await provider.CreateLock(name).TryAcquireAsync(TimeSpan.FromSeconds(10)))
            Assert.NotNull(held);
        await using var again = await provider.CreateLock(name).TryAcquireAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(again);
    }

    [Fact]
    public async Task A_plain_client_on_the_tls_port_is_an_error_naming_the_endpoint_within_the_connect_timeout()
    {
        await using var provider = LockProvider.Create($"etcd://{fixture.TlsServer.Endpoint}/plain?connecttimeout=1s&requesttimeout=1s");
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<EtcdUnavailableException>(async () => await provider.CreateLock(Name()).AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(fixture.TlsServer.Endpoint, ex.Message);
        // The member answered, but not as plain-text gRPC: the message says what to change.
        Assert.True(ex.Message.Contains("tls=true", StringComparison.Ordinal), ex.Message);
        // Generous guard: the point is that it does not wait for the 30 s acquire timeout.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task A_member_certificate_from_another_ca_is_refused_within_the_connect_timeout()
    {
        await using var provider = LockProvider.Create($"etcd://{fixture.TlsServer.Endpoint}/other?connecttimeout=1s&requesttimeout=1s&{fixture.TlsQuery(fixture.Certificates.OtherCaFile)}");
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<AuthenticationException>(async () => await provider.CreateLock(Name()).AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(fixture.TlsServer.Endpoint, ex.Message);
        Assert.Contains("TLS handshake", ex.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task A_user_and_password_from_the_uri_authenticate_and_lock()
    {
        await using var provider = LockProvider.Create($"etcd://root:{Uri.EscapeDataString(EtcdSecurityFixture.RootPassword)}@{fixture.AuthServer.Endpoint}/auth");
        await using var held = await provider.CreateLock(Name()).TryAcquireAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(held);
    }

    [Fact]
    public async Task Without_credentials_an_authenticated_cluster_refuses_the_store()
    {
        await using var provider = LockProvider.Create($"etcd://{fixture.AuthServer.Endpoint}/noauth?connecttimeout=2s");
        var ex = await Assert.ThrowsAsync<AuthenticationException>(async () => await provider.CreateLock(Name()).AcquireAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("etcd://user:password@host", ex.Message);
    }

    [Fact]
    public async Task A_wrong_password_is_an_authentication_error_at_once_that_does_not_show_it()
    {
        await using var provider = LockProvider.Create($"etcd://root:Wr0ng-pw@{fixture.AuthServer.Endpoint}/auth?connecttimeout=20s");
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<AuthenticationException>(async () => await provider.CreateLock(Name()).AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("root", ex.Message);
        Assert.Contains(fixture.AuthServer.Endpoint, ex.Message);
        Assert.DoesNotContain("Wr0ng-pw", ex.ToString());
        // Not a timeout: the refusal comes well before the 20 s connect timeout (generous bound).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Without_a_client_certificate_the_tls_member_is_an_error_within_the_connect_timeout()
    {
        // Under TLS 1.3 the member refuses the missing certificate after the client's side of the handshake is done:
        // the client sees a closed connection, like a member going down, so this is "unavailable", not "refused".
        var query = $"tls=true&cafile={Uri.EscapeDataString(fixture.Certificates.CaFile)}";
        await using var provider = LockProvider.Create($"etcd://{fixture.TlsServer.Endpoint}/nocert?connecttimeout=1s&requesttimeout=1s&{query}");
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<EtcdUnavailableException>(async () => await provider.CreateLock(Name()).AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(fixture.TlsServer.Endpoint, ex.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s: {ex.Message}");
    }

    [Fact]
    public void A_missing_certificate_file_is_an_ArgumentException_naming_the_option()
    {
        var missing = Path.Combine(fixture.Certificates.Directory, "nope.pem");
        var ex = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create($"etcd://u:s3cret@{fixture.TlsServer.Endpoint}/x?tls=true&certfile={Uri.EscapeDataString(missing)}"));
        Assert.Contains("certfile", ex.Message);
        Assert.Contains(missing, ex.Message);
        Assert.DoesNotContain("s3cret", ex.Message);
        Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create($"etcd://{fixture.TlsServer.Endpoint}/x?cafile=/ca.pem"));
        Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create($"etcd://{fixture.TlsServer.Endpoint}/x?tlsfile=1"));
    }

    [Fact]
    public async Task A_store_over_the_apps_channel_locks_and_leaves_the_channel_open()
    {
        using var channel = GrpcChannel.ForAddress($"http://{fixture.AuthServer.Endpoint}");
        // Authenticated by the application, as it would for its own client.
        var auth = await new Auth.AuthClient(channel).AuthenticateAsync(new AuthenticateRequest { Name = "root", Password = EtcdSecurityFixture.RootPassword });
        var invoker = channel.CreateCallInvoker().Intercept(m => { m ??= []; m.Add("token", auth.Token); return m; });
        var provider = new LockProvider(EtcdLockStore.FromCallInvoker(invoker, new EtcdLockOptions { Prefix = "own" }));
        await using (var held = await provider.CreateLock(Name()).TryAcquireAsync(TimeSpan.FromSeconds(10)))
            Assert.NotNull(held);
        await provider.DisposeAsync();
        var range = await new KV.KVClient(invoker).RangeAsync(new RangeRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8("own") });
        Assert.NotNull(range);
    }
}
