using Padlock.Redis.Tests.Fixtures;
using Xunit;

namespace Padlock.Redis.Tests.Configuration;

/// <summary>An ACL user and password in the URI (<c>redis://user:password@host</c>) reach AUTH, and never a message.</summary>
[Collection(RedisCollection.Name)]
public sealed class AclUserTests(RedisFixture fixture)
{
    [Fact]
    public async Task An_acl_user_from_the_uri_authenticates_and_locks()
    {
        var user = "padlock-acl-" + Guid.NewGuid().ToString("N")[..8];
        var denied = user + "-noscripts";
        var db = fixture.Admin.GetDatabase();
        await db.ExecuteAsync("ACL", "SETUSER", user, "on", ">s3cret:pw", "~*", "&*", "+@all");
        // The test server's default user is open, so a lock taken proves nothing alone: a user denied scripts must
        // fail, which shows the URI's user is the one that authenticated.
        await db.ExecuteAsync("ACL", "SETUSER", denied, "on", ">pw", "~*", "&*", "+@all", "-@scripting");
        try
        {
            await using (var ok = LockProvider.Create($"redis://{user}:s3cret%3Apw@{fixture.Endpoint}"))
            await using (var h = await ok.CreateLock("acl-" + Guid.NewGuid().ToString("N")).TryAcquireAsync(TimeSpan.FromSeconds(10)))
                Assert.NotNull(h);
            await using var limited = LockProvider.Create($"redis://{denied}:pw@{fixture.Endpoint}");
            var ex = await Assert.ThrowsAnyAsync<Exception>(async () => await limited.CreateLock("acl-" + Guid.NewGuid().ToString("N")).TryAcquireAsync());
            Assert.Contains("NOPERM", ex.ToString(), StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            await db.ExecuteAsync("ACL", "DELUSER", user, denied);
        }
    }

    [Fact]
    public void The_password_given_twice_is_an_ArgumentException_that_does_not_show_it()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create("redis://u:s3cret@h:6379?password=other"));
        Assert.Contains("twice", ex.Message);
        Assert.DoesNotContain("s3cret", ex.Message);
        Assert.DoesNotContain("other", ex.Message);
    }
}
