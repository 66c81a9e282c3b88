using System.Text;
using Padlock.Stores;
using Padlock.ZooKeeper.Client;

namespace Padlock.ZooKeeper.Locks;

/// <summary>
/// Reads a semaphore's, reader-writer lock's or election's line (the entries under its parent, in sequence order)
/// without changing anything: each entry's data is its owner (an election's: its value), its czxid the token it holds
/// or will hold, its ctime when it joined. Which entries hold follows from the line's policy, as the recipe decides.
/// </summary>
internal static class ZooKeeperInspector
{
    public static async Task<PrimitiveStatus> ReadAsync(ZooKeeperClient client, string name, string parent, LinePolicy? policy, bool semaphore, bool election, CancellationToken ct)
    {
        List<string> children;
        try
        {
            children = await client.GetChildrenAsync(parent, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
        {
            return new PrimitiveStatus(name, [], []);
        }
        var queue = LockNodeNames.Queue(children);
        // A semaphore's entries record the maxCount they are used with: that one decides, not the caller's guess.
        if (semaphore && queue.Count > 0 && LockNodeNames.MaxCountOf(queue[0]) is { } recorded and >= 1 and <= SemaphoreLimits.MaxCount)
            policy = LinePolicy.Semaphore(recorded);
        var line = new List<PrimitiveEntry>();
        foreach (var entry in queue)
        {
            try
            {
                var (data, stat) = await client.GetDataAsync(ZkPaths.Combine(parent, entry), cancellationToken: ct).ConfigureAwait(false);
                var text = Encoding.UTF8.GetString(data);
                line.Add(new PrimitiveEntry(election ? null : text, stat.Czxid, DateTimeOffset.FromUnixTimeMilliseconds(stat.Ctime),
                    Mode: policy is null ? LockNodeNames.ModeOf(entry) : null, Value: election ? text : null));
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
            {
                // Left the line while we looked.
            }
        }
        return PrimitiveStatus.FromLine(name, line, policy);
    }
}
