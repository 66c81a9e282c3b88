using Padlock.Sharding;
using Xunit;

namespace Padlock.Etcd.Tests.Sharding;

/// <summary>The shard map's document, its steps, the token layout and the checks on a proposed table (no server needed).</summary>
public sealed class ShardMapTests
{
    private static readonly Dictionary<string, string> Two = new() { ["a"] = "etcd://127.0.0.1:23791/a", ["b"] = "etcd://127.0.0.1:23792/b" };
    private static readonly Dictionary<string, string> Three = new(Two) { ["c"] = "etcd://127.0.0.1:23793/c" };
    private static readonly string[] Names = [.. Enumerable.Range(0, 10_000).Select(i => $"name-{i}")];

    [Fact]
    public void A_change_is_two_epochs_and_the_document_round_trips_through_every_step()
    {
        var first = ShardMap.Initial(Two);
        var moving = first.BeginMove(Three);
        var done = moving.FinishMove();
        Assert.Equal((1, false), (first.Epoch, first.IsMoving));
        Assert.Equal((2, true), (moving.Epoch, moving.IsMoving));
        Assert.Equal((3, false), (done.Epoch, done.IsMoving));
        Assert.Equal(["a", "b"], moving.Current.Ids);
        Assert.Equal(["a", "b", "c"], moving.Target.Ids);
        Assert.Equal(["a", "b", "c"], done.Current.Ids);
        foreach (var map in new[] { first, moving, done })
        {
            var back = ShardMap.Parse(map.ToJson());
            Assert.Equal(map.ToJson(), back.ToJson());
            Assert.Equal((map.Epoch, map.IsMoving, map.Tables.Count), (back.Epoch, back.IsMoving, back.Tables.Count));
        }
        Assert.Throws<InvalidOperationException>(() => moving.BeginMove(Two));
        Assert.Throws<InvalidOperationException>(() => done.FinishMove());
    }

    [Fact]
    public void An_abort_goes_back_to_the_old_shards_at_a_new_epoch_and_drops_the_abandoned_table()
    {
        var back = ShardMap.Initial(Two).BeginMove(Three).AbortMove();
        Assert.Equal((3, false), (back.Epoch, back.IsMoving));
        Assert.Single(back.Tables);
        Assert.Equal(["a", "b"], back.Current.Ids);
        Assert.Throws<InvalidOperationException>(() => back.AbortMove());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData("{\"epoch\":2,\"moving\":true,\"tables\":[{\"epoch\":1,\"shards\":{\"a\":\"etcd://h/a\"}}]}")] // moving with one table
    [InlineData("{\"epoch\":1,\"moving\":false,\"tables\":[{\"epoch\":2,\"shards\":{\"a\":\"etcd://h/a\"}}]}")] // table after the map
    [InlineData("{\"epoch\":1,\"moving\":false,\"tables\":[{\"epoch\":1,\"shards\":{}}]}")] // no shards
    public void A_document_that_is_not_a_consistent_map_is_a_format_error(string document)
        => Assert.StartsWith("Not a Padlock shard map", Assert.Throws<FormatException>(() => ShardMap.Parse(document)).Message);

    [Fact]
    public void The_generation_outranks_any_shard_token_and_tokens_past_the_budget_are_refused()
    {
        var low = ShardTokens.Pack(1, ShardTokens.MaxShardToken);
        var high = ShardTokens.Pack(2, 1);
        Assert.True(high > low);
        Assert.Equal((2L, 1L), (ShardTokens.GenerationOf(high), ShardTokens.ShardTokenOf(high)));
        Assert.True(ShardTokens.Pack(ShardTokens.MaxGeneration, ShardTokens.MaxShardToken) > 0);
        Assert.Contains("2^48", Assert.Throws<ArgumentOutOfRangeException>(() => ShardTokens.Pack(1, ShardTokens.MaxShardToken + 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardTokens.Pack(0, 1));
    }

    [Fact]
    public void Adding_a_third_shard_moves_about_a_third_of_the_names_all_to_it_and_removing_one_moves_only_its_own()
    {
        var plan = ShardMapAdmin.Plan(ShardMap.Initial(Two), Three, Names);
        Assert.InRange(plan.Moves.Count, 2_900, 3_800); // 1/3 of 10,000 expected
        Assert.All(plan.Moves, m => Assert.Equal("c", m.To));
        var removal = ShardMapAdmin.Plan(ShardMap.Initial(Three), Two, Names);
        var onC = Names.Count(n => ShardMap.Initial(Three).Target.ShardFor(n) == "c");
        Assert.Equal(onC, removal.Moves.Count);
        Assert.All(removal.Moves, m => Assert.Equal("c", m.From));
    }

    [Fact]
    public void Respelling_a_shard_URI_moves_nothing()
    {
        var respelt = new Dictionary<string, string> { ["a"] = "etcd://127.0.0.1:23791/a/?ttl=10s", ["b"] = "etcd://127.0.0.1:23792//b" };
        Assert.Empty(ShardMapAdmin.Plan(ShardMap.Initial(Two), respelt, Names).Moves);
    }

    [Fact]
    public void Bad_tables_are_refused_with_what_is_allowed()
    {
        Assert.Contains("at least one shard", Assert.Throws<ArgumentException>(() => ShardMapAdmin.Plan(null, new Dictionary<string, string>(), Names)).Message);
        Assert.Contains("letters, digits", Assert.Throws<ArgumentException>(() => ShardMapAdmin.Plan(null, new Dictionary<string, string> { ["a b"] = "etcd://h:1/x" }, Names)).Message);
        Assert.Contains("local to one machine", Assert.Throws<ArgumentException>(() => ShardMapAdmin.Plan(null, new Dictionary<string, string> { ["a"] = "file:///tmp/x" }, Names)).Message);
        var twice = Assert.Throws<ArgumentException>(() => ShardMapAdmin.Plan(null, new Dictionary<string, string> { ["a"] = "etcd://H:2379/x", ["b"] = "etcd://h/x/" }, Names));
        Assert.Contains("same store", twice.Message);
        Assert.Contains("no store URI", Assert.Throws<ArgumentException>(() => ShardMapAdmin.Plan(null, new Dictionary<string, string> { ["a"] = " " }, Names)).Message);
    }
}
