using Xunit;

namespace Padlock.Testing.Contract;

/// <summary>
/// The behaviour every store with leader elections (<see cref="Stores.IElectionStore"/>) must show, run once per store
/// through its <see cref="LockStoreAdapter"/>: each provider it makes is a separate client of the store.
/// </summary>
public abstract class ElectionContractTests : ContractTestBase
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    /// <summary>An election name no other test uses.</summary>
    protected static string UniqueName() => $"el-{Guid.NewGuid():N}";

    [Fact]
    public async Task Exactly_one_of_several_campaigners_leads_and_resigning_elects_the_next_with_a_higher_term()
    {
        var name = UniqueName();
        var campaigns = Enumerable.Range(0, 4)
            .Select(i => NewProvider().CreateElection(name).CampaignAsync($"node-{i}", Long).AsTask())
            .ToList();
        var first = await Task.WhenAny(campaigns).Unwrap().WaitAsync(Long);
        await Eventually.TrueAsync(async () => (await NewProvider().CreateElection(name).GetLeaderAsync())?.Term == first.FencingToken, "the first leader is what readers see");
        Assert.Equal(1, campaigns.Count(c => c.IsCompletedSuccessfully));
        var leader = await NewProvider().CreateElection(name).GetLeaderAsync();
        Assert.Equal(new LeaderInfo(first.Value, first.FencingToken), leader);

        var terms = new List<long> { first.FencingToken };
        var current = first;
        for (var round = 1; round < campaigns.Count; round++)
        {
            await current.DisposeAsync();
            var rest = campaigns.Where(c => !terms.Contains(c.IsCompletedSuccessfully ? c.Result.FencingToken : -1)).ToList();
            current = await Task.WhenAny(rest).Unwrap().WaitAsync(Long);
            Assert.True(current.FencingToken > terms[^1], $"Term {current.FencingToken} after {terms[^1]}.");
            Assert.False(current.IsLost);
            terms.Add(current.FencingToken);
            // Still exactly one: the others wait.
            Assert.Equal(round + 1, campaigns.Count(c => c.IsCompletedSuccessfully));
        }
        await current.DisposeAsync();
        await Eventually.TrueAsync(async () => await NewProvider().CreateElection(name).GetLeaderAsync() is null, "nobody leads once every leader resigned");
    }

    [Fact]
    public async Task Observers_see_the_current_leader_then_each_new_leader_and_proclaimed_value_in_term_order()
    {
        var name = UniqueName();
        var a = await NewProvider().CreateElection(name).CampaignAsync("a", Long);
        var b = NewProvider().CreateElection(name).CampaignAsync("b", Long).AsTask();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var seen = NewProvider().CreateElection(name).ObserveAsync(stop.Token).GetAsyncEnumerator(stop.Token);

        Assert.Equal(new LeaderInfo("a", a.FencingToken), await NextAsync(seen));

        await a.ProclaimAsync("a2");
        Assert.Equal("a2", a.Value);
        Assert.Equal(new LeaderInfo("a2", a.FencingToken), await NextAsync(seen));
        Assert.Equal(new LeaderInfo("a2", a.FencingToken), await NewProvider().CreateElection(name).GetLeaderAsync());

        await a.DisposeAsync();
        var bLeads = await b.WaitAsync(Long);
        // A store may report the gap between leaders (null) or go straight to the next one; either way, in term order.
        var next = await NextAsync(seen);
        if (next is null) next = await NextAsync(seen);
        Assert.Equal(new LeaderInfo("b", bLeads.FencingToken), next);
        Assert.True(bLeads.FencingToken > a.FencingToken);

        await bLeads.ResignAsync();
        Assert.Null(await NextAsync(seen));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await bLeads.ProclaimAsync("late"));
    }

    [Fact]
    public async Task A_leader_whose_provider_ends_without_resigning_is_replaced_and_loses_its_leadership()
    {
        var name = UniqueName();
        var owning = Adapter.CreateOwningProvider();
        var gone = await owning.CreateElection(name).CampaignAsync("doomed", Long);
        var next = NewProvider().CreateElection(name).CampaignAsync("next", Adapter.LossDetectionLimit + Long).AsTask();
        Assert.False(next.IsCompleted);
        await owning.DisposeAsync();
        var leads = await next.WaitAsync(Adapter.LossDetectionLimit + Long);
        Assert.True(leads.FencingToken > gone.FencingToken);
        await Eventually.TrueAsync(() => gone.IsLost, "the ended provider's leadership reports itself lost", Adapter.LossDetectionLimit);
        Assert.True(gone.LostToken.IsCancellationRequested);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await gone.ProclaimAsync("still me?"));
        Assert.Equal(new LeaderInfo("next", leads.FencingToken), await NewProvider().CreateElection(name).GetLeaderAsync());
        await leads.DisposeAsync();
    }

    [Fact]
    public async Task A_leader_process_that_dies_is_replaced_within_the_session_bound_and_observers_see_it()
    {
        if (Adapter.CrossProcessUri is not { } uri)
        {
            // mem:// lives in one process by definition; its adapter says so, and the test checks that claim instead.
            Assert.Equal("mem", NewProvider().StoreKind);
            return;
        }
        var name = UniqueName();
        await using var holder = await HolderProcess.CampaignAsync(uri, name);
        var election = NewProvider().CreateElection(name);
        var leader = await election.GetLeaderAsync();
        Assert.Equal($"holder-{holder.ProcessId}", leader?.Value);
        Assert.Equal(holder.FencingToken, leader!.Term);
        using var stop = new CancellationTokenSource(Adapter.LossDetectionLimit + Long + Long);
        await using var seen = election.ObserveAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.Equal(leader, await NextAsync(seen));
        var next = NewProvider().CreateElection(name).CampaignAsync("survivor", Adapter.LossDetectionLimit + Long).AsTask();
        await holder.KillAsync();
        // The dead leader's entry stays until its session (zk) or lease (etcd) ends: the adapter's limit bounds that.
        var leads = await next.WaitAsync(Adapter.LossDetectionLimit + Long);
        Assert.True(leads.FencingToken > holder.FencingToken);
        var change = await NextAsync(seen);
        if (change is null) change = await NextAsync(seen);
        Assert.Equal(new LeaderInfo("survivor", leads.FencingToken), change);
        await leads.DisposeAsync();
    }

    [Fact]
    public async Task TryCampaign_with_zero_timeout_while_someone_leads_returns_null_and_leaves_nothing_behind()
    {
        var name = UniqueName();
        var leader = await NewProvider().CreateElection(name).CampaignAsync("leader", Long);
        var other = NewProvider().CreateElection(name);
        Assert.Null(await other.TryCampaignAsync("hopeful"));
        Assert.Null(await other.TryCampaignAsync("hopeful", TimeSpan.FromMilliseconds(200)));
        var ex = await Assert.ThrowsAsync<TimeoutException>(async () => await other.CampaignAsync("hopeful", TimeSpan.FromMilliseconds(200)));
        Assert.Contains(name, ex.Message);
        await leader.DisposeAsync();
        // A leftover entry of the failed attempts would now be elected: nobody may lead, and a new campaign wins at once.
        await Eventually.TrueAsync(async () => await NewProvider().CreateElection(name).GetLeaderAsync() is null, "nobody leads after the only leader resigned");
        var third = await NewProvider().CreateElection(name).TryCampaignAsync("third", TimeSpan.FromSeconds(10));
        Assert.NotNull(third);
        Assert.Equal("third", (await NewProvider().CreateElection(name).GetLeaderAsync())?.Value);
        await third!.DisposeAsync();
        // A zero-timeout campaign that wins (a store may take a one-request path for it) stores its value too.
        await Eventually.TrueAsync(async () => await NewProvider().CreateElection(name).GetLeaderAsync() is null, "nobody leads after the third resigned");
        await using var fourth = await NewProvider().CreateElection(name).TryCampaignAsync("fourth");
        Assert.NotNull(fourth);
        Assert.Equal(new LeaderInfo("fourth", fourth!.FencingToken), await NewProvider().CreateElection(name).GetLeaderAsync());
    }

    [Fact]
    public async Task A_cancelled_campaign_leaves_nothing_behind()
    {
        var name = UniqueName();
        var leader = await NewProvider().CreateElection(name).CampaignAsync("leader", Long);
        using var cts = new CancellationTokenSource();
        var waiting = NewProvider().CreateElection(name).CampaignAsync("cancelled", cancellationToken: cts.Token).AsTask();
        await Task.Delay(200); // let it queue; the test holds either way
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Long));
        Assert.Equal(cts.Token, ex.CancellationToken);
        await leader.DisposeAsync();
        await Eventually.TrueAsync(async () => await NewProvider().CreateElection(name).GetLeaderAsync() is null, "nobody leads: the cancelled campaigner was not elected");
        await using var next = await NewProvider().CreateElection(name).TryCampaignAsync("next", TimeSpan.FromSeconds(10));
        Assert.NotNull(next);
    }

    [Fact]
    public async Task Bad_arguments_are_clear_errors()
    {
        var provider = NewProvider();
        Assert.Throws<ArgumentException>(() => provider.CreateElection(""));
        var election = provider.CreateElection(UniqueName());
        var empty = await Assert.ThrowsAsync<ArgumentException>(async () => await election.CampaignAsync(""));
        Assert.Equal("value", empty.ParamName);
        await Assert.ThrowsAsync<ArgumentException>(async () => await election.TryCampaignAsync(null!));
        var big = new string('x', Stores.ElectionLimits.MaxValueBytes + 1);
        var tooBig = await Assert.ThrowsAsync<ArgumentException>(async () => await election.CampaignAsync(big));
        Assert.Contains("65536", tooBig.Message);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await election.TryCampaignAsync("v", TimeSpan.FromSeconds(-2)));
        await using var leads = await election.CampaignAsync(new string('x', Stores.ElectionLimits.MaxValueBytes), Long);
        await Assert.ThrowsAsync<ArgumentException>(async () => await leads.ProclaimAsync(""));
        await Assert.ThrowsAsync<ArgumentException>(async () => await leads.ProclaimAsync(big));
        Assert.Equal(Stores.ElectionLimits.MaxValueBytes, (await election.GetLeaderAsync())!.Value.Length);
    }

    [Fact]
    public async Task Campaigning_again_for_a_name_this_flow_leads_is_refused()
    {
        var provider = NewProvider();
        var election = provider.CreateElection(UniqueName());
        await using (await election.CampaignAsync("me", Long))
        {
            var ex = await Assert.ThrowsAsync<LockRecursionException>(async () => await election.TryCampaignAsync("me again"));
            Assert.Contains(election.Name, ex.Message);
        }
        // Resigned: the flow may campaign again, and gets a new term.
        await using var again = await election.TryCampaignAsync("me", TimeSpan.FromSeconds(10));
        Assert.NotNull(again);
    }

    private static async Task<LeaderInfo?> NextAsync(IAsyncEnumerator<LeaderInfo?> seen)
    {
        Assert.True(await seen.MoveNextAsync().AsTask().WaitAsync(Long), "The observation ended.");
        return seen.Current;
    }

    [Fact]
    public async Task The_synchronous_forms_campaign_like_the_async_ones()
    {
        var name = UniqueName();
        var first = NewProvider().CreateElection(name);
        var other = NewProvider().CreateElection(name);
        // Run on the thread pool: the sync forms block their thread, as a caller without async would.
        using var leads = await Task.Run(() => first.Campaign("sync-leader", Long));
        Assert.Equal(new LeaderInfo("sync-leader", leads.FencingToken), await other.GetLeaderAsync());
        Assert.Null(await Task.Run(() => other.TryCampaign("hopeful")));
        Assert.Throws<TimeoutException>(() => other.Campaign("hopeful", TimeSpan.FromMilliseconds(100)));
        Assert.Throws<ArgumentException>(() => other.TryCampaign(""));
        leads.Dispose();
        using var next = await Task.Run(() => other.TryCampaign("next", TimeSpan.FromSeconds(10)));
        Assert.NotNull(next);
        Assert.True(next!.FencingToken > leads.FencingToken, $"Term {next.FencingToken} after {leads.FencingToken}.");
    }
}
