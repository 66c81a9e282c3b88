using System.Diagnostics;
using Padlock.Redis.Tests.Fixtures;
using Padlock.Stores;
using StackExchange.Redis;
using Xunit;

namespace Padlock.Redis.Tests.Configuration;

/// <summary>rediss:// and redlock://?tls=true against servers that speak TLS only on their TLS port and ask for a client certificate.</summary>
[Collection(RedisTlsCollection.Name)]
public sealed class TlsTests(RedisTlsFixture fixture)
{
    private string Name() => "tls-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task A_lock_is_acquired_and_released_over_tls_with_a_client_certificate_and_an_acl_user()
    {
        await using var provider = LockProvider.Create($"rediss://{RedisTlsFixture.User}:{RedisTlsFixture.Password}@{fixture.TlsEndpoint}?{fixture.TlsQuery}");
        var name = Name();
        await using (var held = await provider.CreateLock(name).TryAcquireAsync(TimeSpan.FromSeconds(10)))
        {
            Assert.NotNull(held);
            Assert.True(await fixture.Admin.GetDatabase().KeyExistsAsync("padlock:{" + name + "}:lock"));
        }
        Assert.False(await fixture.Admin.GetDatabase().KeyExistsAsync("padlock:{" + name + "}:lock"));
    }

    [Fact]
    public async Task Redlock_takes_tls_for_every_master()
    {
        var endpoints = string.Join(",", fixture.Servers.Select(s => $"127.0.0.1:{s.TlsPort}"));
        await using var provider = LockProvider.Create($"redlock://{RedisTlsFixture.User}:{RedisTlsFixture.Password}@{endpoints}?tls=true&{fixture.TlsQuery}");
        await using var held = await provider.CreateLock(Name()).TryAcquireAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(held);
    }

    [Fact]
    public async Task A_plain_client_on_the_tls_port_is_an_error_naming_the_endpoint_within_the_connect_timeout()
    {
        await using var provider = LockProvider.Create($"redis://{fixture.TlsEndpoint}?connecttimeout=1s");
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<LockStoreUnavailableException>(async () => await provider.CreateLock(Name()).AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(fixture.TlsEndpoint, ex.Message);
        Assert.Contains("rediss://", ex.Message);
        // Generous guard: the point is that it does not wait for the 30 s acquire timeout.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task A_server_certificate_from_another_ca_is_refused()
    {
        var query = fixture.TlsQuery.Replace(Uri.EscapeDataString(fixture.Certificates.CaFile), Uri.EscapeDataString(fixture.Certificates.OtherCaFile), StringComparison.Ordinal);
        await using var provider = LockProvider.Create($"rediss://{fixture.TlsEndpoint}?connecttimeout=1s&{query}");
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(async () => await provider.CreateLock(Name()).AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(fixture.TlsEndpoint, ex.Message);
        Assert.Contains("certificate", ex.Message);
    }

    [Fact]
    public async Task A_wrong_password_is_an_authentication_error_at_once_that_does_not_show_it()
    {
        await using var provider = LockProvider.Create($"rediss://{RedisTlsFixture.User}:not-the-Pa55word@{fixture.TlsEndpoint}?connecttimeout=20s&{fixture.TlsQuery}");
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(async () => await provider.CreateLock(Name()).AcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(ConnectionFailureType.AuthenticationFailure, ex.FailureType);
        Assert.Contains("authentication", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(fixture.TlsEndpoint, ex.Message);
        Assert.DoesNotContain("not-the-Pa55word", ex.ToString());
        // Not a timeout: refused credentials are reported well before the 20 s connect timeout (generous bound).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Secrets_are_not_logged_when_a_lock_is_used_or_refused()
    {
        var logs = new CapturingLoggerFactory();
        await using (var ok = LockProvider.Create($"rediss://{RedisTlsFixture.User}:{RedisTlsFixture.Password}@{fixture.TlsEndpoint}?{fixture.TlsQuery}", logs))
        await using (var held = await ok.CreateLock(Name()).AcquireAsync(TimeSpan.FromSeconds(10)))
        {
        }
        await using (var wrong = LockProvider.Create($"rediss://{RedisTlsFixture.User}:L0gged-pw@{fixture.TlsEndpoint}?{fixture.TlsQuery}", logs))
            await Assert.ThrowsAsync<RedisConnectionException>(async () => await wrong.CreateLock(Name()).AcquireAsync(TimeSpan.FromSeconds(10)));
        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(RedisTlsFixture.Password, StringComparison.Ordinal) || l.Contains("L0gged-pw", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_certificate_file_is_an_ArgumentException_naming_the_option()
    {
        var missing = Path.Combine(fixture.Certificates.Directory, "nope.pem");
        var ex = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create($"rediss://u:s3cret@{fixture.TlsEndpoint}?certfile={Uri.EscapeDataString(missing)}"));
        Assert.Contains("certfile", ex.Message);
        Assert.Contains(missing, ex.Message);
        Assert.DoesNotContain("s3cret", ex.Message);
        var ca = Assert.ThrowsAny<ArgumentException>(() => new RedisLockStore(new RedisLockOptions { Endpoints = ["h:1"], UseTls = true, TlsCaFile = missing }));
        Assert.Contains(nameof(RedisLockOptions.TlsCaFile), ca.Message);
        await Task.CompletedTask;
    }

    [Fact]
    public void Tls_options_without_tls_are_refused()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create($"redis://{fixture.TlsEndpoint}?cafile=/x.pem"));
        Assert.Contains("rediss://", ex.Message);
    }
}
