using Padlock.Stores;
using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>URI parsing, Npgsql passthrough, identity and bad input (no server needed: nothing connects until a lock is asked for).</summary>
public sealed class PostgresUriTests
{
    private static PostgresLockStore Store(string uri) => (PostgresLockStore)((LockProvider)LockProvider.Create(uri)).Store;

    [Fact]
    public async Task Npgsql_keywords_pass_through_and_the_uri_gives_host_port_database_and_user()
    {
        await using var store = Store("postgresql://db.example:6543/app?user=u&password=p&sslmode=require&Maximum%20Pool%20Size=7&lease=12s");
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(store.DataSource.ConnectionString);
        Assert.Equal("db.example", cs.Host);
        Assert.Equal(6543, cs.Port); // Npgsql moves a single host's ":port" into Port
        Assert.Equal("app", cs.Database);
        Assert.Equal("u", cs.Username);
        Assert.Equal(Npgsql.SslMode.Require, cs.SslMode);
        Assert.Equal(7, cs.MaxPoolSize);
        Assert.Equal(TimeSpan.FromSeconds(12), store.Lease);
    }

    [Fact]
    public async Task User_and_password_before_the_host_reach_Npgsql_and_never_a_message()
    {
        await using var store = Store("postgres://app%40corp:s%3Acret@db.example/orders");
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(store.DataSource.ConnectionString);
        Assert.Equal("app@corp", cs.Username);
        // The data source's connection string never shows the password (Npgsql's Persist Security Info=false).
        Assert.Null(cs.Password);
        Assert.Equal("orders", cs.Database);
        var twice = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create("postgres://app:s3cret@db/orders?password=other"));
        Assert.Contains("twice", twice.Message);
        Assert.DoesNotContain("s3cret", twice.Message);
        Assert.DoesNotContain("other", twice.Message);
        var bad = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create("postgres://app:s3cret@db/orders?lease=1s"));
        Assert.DoesNotContain("s3cret", bad.Message);
    }

    [Theory]
    [InlineData("postgres://h/db?nosuchkeyword=1", "nosuchkeyword")]
    [InlineData("postgres://h/db?host=other", "host")]
    [InlineData("postgres://h/db?lease=5s", "lease")]
    [InlineData("postgres://h/db?lease=7500ms", "lease")]
    [InlineData("postgres://h/db?table=bad-name", "bad-name")]
    [InlineData("postgres://h/db?createschema=maybe", "createschema")]
    public void Bad_options_are_ArgumentExceptions_naming_them(string uri, string named)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create(uri));
        Assert.Contains(named, ex.Message);
    }

    [Fact]
    public void Identity_is_servers_database_and_table_whatever_the_spelling()
    {
        var f = new PostgresLockStoreFactory();
        string Id(string u) => f.GetIdentity(StoreUri.Parse(u));
        Assert.Equal(Id("postgres://DB:5432/app?user=a&lease=10s"), Id("postgresql://db/app?user=b&table=PADLOCK_FENCING"));
        Assert.NotEqual(Id("postgres://db/app"), Id("postgres://db/other"));
        Assert.NotEqual(Id("postgres://db/app"), Id("postgres://db/app?table=t2"));
    }

    [Fact]
    public void Typed_options_are_checked()
    {
        Assert.Throws<ArgumentException>(() => new PostgresLockStore(new PostgresLockOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgresLockStore(new PostgresLockOptions { ConnectionString = "Host=h", Lease = TimeSpan.FromSeconds(2) }));
        Assert.Contains("CREATE TABLE IF NOT EXISTS \"s\".\"t\"", PostgresLockStore.SchemaSql("s.t"));
    }
}
