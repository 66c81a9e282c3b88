using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>The postgres:// election against the server: a terminated leader's backend, the row other clients read, bad values.</summary>
[Collection("postgres")]
public sealed class PostgresElectionTests(PostgresFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_terminated_leaders_backend_is_nobody_at_once_the_next_is_elected_and_observed_and_the_old_cannot_proclaim()
    {
        var uri = fixture.Uri();
        var name = "elkill-" + Guid.NewGuid().ToString("N");
        await using var p1 = LockProvider.Create(uri);
        await using var p2 = LockProvider.Create(uri);
        await using var p3 = LockProvider.Create(uri);
        var first = await p1.CreateElection(name).CampaignAsync("first", TimeSpan.FromSeconds(10));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var seen = p3.CreateElection(name).ObserveAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await seen.MoveNextAsync());
        Assert.Equal(new LeaderInfo("first", first.FencingToken), seen.Current);

        var pid = ((PostgresLockStore)((LockProvider)p1).Store).Holds.Single().BackendPid;
        Assert.Equal("t", (await fixture.Server.PsqlAsync($"SELECT pg_terminate_backend({pid})")).Trim());
        // The row still names the dead backend, but it holds nothing: nobody leads, without waiting for any lease.
        await Eventually.TrueAsync(async () => await p3.CreateElection(name).GetLeaderAsync() is null, "the dead leader is nobody", Bound);
        // The session's end sends no notification: the observer's bounded re-read sees it.
        Assert.True(await seen.MoveNextAsync().AsTask().WaitAsync(Bound));
        Assert.Null(seen.Current);

        await using var second = await p2.CreateElection(name).CampaignAsync("second", TimeSpan.FromSeconds(10));
        Assert.True(second.FencingToken > first.FencingToken);
        Assert.True(await seen.MoveNextAsync().AsTask().WaitAsync(Bound));
        Assert.Equal(new LeaderInfo("second", second.FencingToken), seen.Current);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await first.ProclaimAsync("still first?"));
        Assert.True(first.IsLost);
        Assert.Equal(new LeaderInfo("second", second.FencingToken), await p3.CreateElection(name).GetLeaderAsync());
        await first.DisposeAsync();
    }

    [Fact]
    public async Task The_leaders_value_and_term_are_a_committed_row_any_client_can_read()
    {
        var uri = fixture.Uri();
        var table = System.Web.HttpUtility.ParseQueryString(new Uri(uri).Query)["table"]!;
        var name = "elrow-" + Guid.NewGuid().ToString("N");
        await using var p = LockProvider.Create(uri);
        await using var leads = await p.CreateElection(name).CampaignAsync("10.0.0.7:8080", TimeSpan.FromSeconds(10));
        await leads.ProclaimAsync("10.0.0.8:8080");
        var row = (await fixture.Server.PsqlAsync($"SELECT value || '|' || token FROM {table} WHERE name = E'\\001el:{name}'")).Trim();
        Assert.Equal($"10.0.0.8:8080|{leads.FencingToken}", row);
    }

    [Fact]
    public async Task A_value_PostgreSQL_text_cannot_hold_is_an_argument_exception_and_nothing_is_taken()
    {
        var uri = fixture.Uri();
        var name = "elnul-" + Guid.NewGuid().ToString("N");
        await using var p = LockProvider.Create(uri);
        var election = p.CreateElection(name);
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await election.CampaignAsync("a\0b", TimeSpan.FromSeconds(5)));
        Assert.Contains("U+0000", ex.Message);
        await using var leads = await election.CampaignAsync("ok", TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<ArgumentException>(async () => await leads.ProclaimAsync("x\0"));
        Assert.Equal(new LeaderInfo("ok", leads.FencingToken), await p.CreateElection(name).GetLeaderAsync());
    }

    [Fact]
    public async Task On_a_table_made_before_elections_a_campaign_says_how_to_add_the_columns_and_SchemaSql_adds_them()
    {
        var table = "old_" + Guid.NewGuid().ToString("N")[..8];
        await fixture.Server.PsqlAsync($"CREATE TABLE {table} (name text PRIMARY KEY, token bigint NOT NULL, owner text NOT NULL, granted_at timestamptz NOT NULL)");
        await using var p = LockProvider.Create($"{fixture.Server.Uri}&table={table}&createschema=false&lease=6s");
        await using (var l = await p.CreateLock("x").TryAcquireAsync()) Assert.NotNull(l); // locks never need the columns
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await p.CreateElection("e").CampaignAsync("v", TimeSpan.FromSeconds(5)));
        Assert.Contains("ADD COLUMN IF NOT EXISTS value text", ex.Message);
        await fixture.Server.PsqlAsync(PostgresLockStore.SchemaSql(table));
        await using var leads = await p.CreateElection("e").CampaignAsync("v", TimeSpan.FromSeconds(5));
        Assert.Equal(new LeaderInfo("v", leads.FencingToken), await p.CreateElection("e").GetLeaderAsync());
    }
}
