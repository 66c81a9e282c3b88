using System.Globalization;
using Padlock.Cli.Common;
using Padlock.Sharding;

namespace Padlock.Cli.Shards;

/// <summary>Builds the reports of <c>show</c> and <c>plan</c> from a map, using the core's placement (<see cref="ShardMapAdmin.Plan"/>).</summary>
internal static class ShardPlanning
{
    /// <summary>The sample names of <c>plan --names N</c>: "name-0" .. "name-(N-1)".</summary>
    public static IEnumerable<string> SampleNames(int count)
    {
        for (var i = 0; i < count; i++) yield return "name-" + i.ToString(CultureInfo.InvariantCulture);
    }

    public static ShardsMapReport Show(string directory, ShardMap? map, IReadOnlyList<string> names)
    {
        if (map is null) return new(directory, false, null, null, null, null);
        var tables = map.Tables.Select((t, i) => new ShardTableReport(t.Epoch, Role(map, i), Entries(t.Shards))).ToList();
        List<NamePlacement>? placed = null;
        if (names.Count > 0)
        {
            // A name moves only while the map is moving, and only if its old and new stores differ (the core's rule).
            var moving = map.IsMoving
                ? ShardMapAdmin.Plan(new ShardMap(map.Epoch, false, [map.Current]), map.Target.Shards, names).Moves.ToDictionary(m => m.Name, m => m.To, StringComparer.Ordinal)
                : [];
            placed = [.. names.Select(n => new NamePlacement(n, map.Current.ShardFor(n), moving.GetValueOrDefault(n)))];
        }
        return new(directory, true, map.Epoch, map.IsMoving ? "moving" : "stable", tables, placed);
    }

    public static ShardsPlanReport Plan(string directory, ShardMap? map, Dictionary<string, string> shards, IReadOnlyList<string> names, bool listMoves)
    {
        var plan = ShardMapAdmin.Plan(map, shards, names);
        var movingIn = plan.Moves.GroupBy(m => m.To, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var kept = map is null ? [] : KeptIds(map.Target, shards);
        var rows = plan.PerShard.Keys.Order(StringComparer.Ordinal)
            .Select(id => new PlanShard(id, StoreOpener.Shown(shards[id]), map is null || !kept.Contains(id), plan.PerShard[id], movingIn.GetValueOrDefault(id)))
            .ToList();
        double? expected = null;
        if (map is not null)
        {
            // Rendezvous hashing: a name stays put exactly when the highest-scoring id among the old and new ids together
            // is one both sets share with the same store; every id is equally likely to score highest.
            var union = map.Target.Ids.Union(shards.Keys, StringComparer.Ordinal).Count();
            expected = 1.0 - (double)kept.Count / union;
        }
        return new(directory, map?.Epoch, plan.Names, plan.Moves.Count, plan.Names == 0 ? 0 : (double)plan.Moves.Count / plan.Names, expected, rows,
            listMoves ? [.. plan.Moves.Select(m => new PlanMove(m.Name, m.From, m.To))] : null);
    }

    /// <summary>Ids in both the map and the proposal that name the same store (asked of the core, which compares stores, not spellings).</summary>
    private static HashSet<string> KeptIds(ShardTable current, Dictionary<string, string> shards)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in current.Ids.Where(shards.ContainsKey))
        {
            var alone = ShardMap.Initial(new Dictionary<string, string> { [id] = current.Shards[id] });
            if (ShardMapAdmin.Plan(alone, new Dictionary<string, string> { [id] = shards[id] }, ["probe"]).Moves.Count == 0) kept.Add(id);
        }
        return kept;
    }

    private static string Role(ShardMap map, int index)
    {
        var last = map.Tables.Count - 1;
        if (index == last) return map.IsMoving ? "target" : "current";
        return map.IsMoving && index == last - 1 ? "current" : "history";
    }

    private static List<ShardEntry> Entries(IReadOnlyDictionary<string, string> shards)
        => [.. shards.Select(p => new ShardEntry(p.Key, StoreOpener.Shown(p.Value)))];
}
