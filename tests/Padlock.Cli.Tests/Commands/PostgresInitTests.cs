using Padlock.Cli.Tests.Infrastructure;
using Padlock.LocalServers;

namespace Padlock.Cli.Tests.Commands;

/// <summary><c>padlock postgres init</c> on a real PostgreSQL: the table a createschema=false store needs.</summary>
[Collection(CliCollection.Name)]
public sealed class PostgresInitTests
{
    [Fact]
    public async Task Init_creates_the_table_a_store_without_createschema_needs()
    {
        await using var server = await PostgresServer.StartAsync();
        var uri = $"postgres://127.0.0.1:{server.Port}/postgres?user=postgres&table=app_fence&createschema=false";
        // Before: the store refuses, naming the table and the statement that creates it.
        await using (var before = LockProvider.Create(uri))
        {
            var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(async () => await before.CreateLock("job").TryAcquireAsync());
            Assert.Contains("app_fence", ex.Message, StringComparison.Ordinal);
        }

        var result = await CliProcess.RunAsync("postgres", "init", "--store", uri);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("app_fence", (await server.PsqlAsync("SELECT to_regclass('app_fence')")).Trim());
        await using var after = LockProvider.Create(uri);
        await using var held = await after.CreateLock("job").TryAcquireAsync();
        Assert.NotNull(held);
        // Run again: nothing to do, still fine.
        Assert.Equal(0, (await CliProcess.RunAsync("postgres", "init", "--store", uri)).ExitCode);
    }

    [Fact]
    public async Task Print_shows_the_sql_without_connecting_and_other_stores_are_usage_errors()
    {
        var printed = await CliProcess.RunAsync("postgres", "init", "--store", "postgres://127.0.0.1:1/db?user=x&table=my_fence", "--print");
        Assert.True(printed.ExitCode == 0, printed.ToString());
        Assert.Contains("CREATE TABLE IF NOT EXISTS \"my_fence\"", printed.Stdout, StringComparison.Ordinal);

        var wrong = await CliProcess.RunAsync("postgres", "init", "--store", "redis://127.0.0.1:1");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("not a postgres:// store", wrong.Stderr, StringComparison.Ordinal);

        var unreachable = await CliProcess.RunAsync("postgres", "init", "--store", "postgres://127.0.0.1:1/db?user=x");
        Assert.Equal(69, unreachable.ExitCode);
        Assert.Contains("127.0.0.1:1", unreachable.Stderr, StringComparison.Ordinal);
    }
}
