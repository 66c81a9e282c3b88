namespace Padlock.Cli.Shards;

/// <summary><c>padlock shards show --json</c>: the map (null fields when none was written) and where the names given live.</summary>
internal sealed record ShardsMapReport(string Directory, bool Exists, long? Epoch, string? State, List<ShardTableReport>? Tables, List<NamePlacement>? Names);

/// <summary>One table of the map. Role: "current" (places names), "target" (being moved to), "history" (kept for token generations).</summary>
internal sealed record ShardTableReport(long Epoch, string Role, List<ShardEntry> Shards);

/// <summary>A shard id and its store URI, redacted.</summary>
internal sealed record ShardEntry(string Id, string Uri);

/// <summary>Where a name lives: its shard, and during a move the shard it is moving to (null when it does not move).</summary>
internal sealed record NamePlacement(string Name, string Shard, string? MovingTo);

/// <summary><c>padlock shards plan --json</c>: how many of the names would move, expected and per shard.</summary>
internal sealed record ShardsPlanReport(
    string Directory, long? CurrentEpoch, int Names, int Moving, double MovingFraction, double? ExpectedFraction, List<PlanShard> Shards, List<PlanMove>? Moves);

/// <summary>A shard of the proposed set: whether the map lacks it, how many names it would hold and how many of them come from elsewhere.</summary>
internal sealed record PlanShard(string Id, string Uri, bool New, int Names, int MovingIn);

/// <summary>A name given on the command line that would move.</summary>
internal sealed record PlanMove(string Name, string From, string To);

/// <summary><c>padlock shards status --json</c>: the map's epoch and every registered client.</summary>
internal sealed record ShardsStatusReport(string Directory, long? MapEpoch, bool Moving, List<ShardClient> Clients);

/// <summary>A client following the map: the oldest epoch it may still grant or hold under, and whether that is behind the map.</summary>
internal sealed record ShardClient(string Id, string Owner, long Epoch, bool Lags);
