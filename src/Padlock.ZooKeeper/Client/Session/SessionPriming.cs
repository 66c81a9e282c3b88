using System.Text;
using Padlock.ZooKeeper.Client.Jute;
using Padlock.ZooKeeper.Client.Protocol;

namespace Padlock.ZooKeeper.Client.Session;

/// <summary>
/// What a (re)connected session sends before any queued request: auth packets, then SetWatches for every armed watch
/// so that none is lost across the reconnect. The server answers changes it missed at once (the node is gone, or
/// changed after <c>lastZxid</c>) and re-arms the rest.
/// </summary>
internal static class SessionPriming
{
    // Batches stay well under the server's 1 MiB packet limit.
    private const int MaxBatchBytes = 128 * 1024;

    public static JuteWriter Build(IReadOnlyList<string> digestAuth, (string[] Data, string[] Exist, string[] Child) watches, long lastZxid, Func<string, string> toServerPath)
    {
        var w = new JuteWriter(256);
        foreach (var credentials in digestAuth)
        {
            Requests.Frame(w, Xids.Auth, OpCode.Auth, b =>
            {
                b.WriteInt(0);
                b.WriteString("digest");
                b.WriteBuffer(Encoding.UTF8.GetBytes(credentials));
            });
        }
        var lists = new[] { new List<string>(), new List<string>(), new List<string>() };
        var size = 0;
        void Flush()
        {
            if (lists.All(l => l.Count == 0)) return;
            Requests.Frame(w, Xids.SetWatches, OpCode.SetWatches, b =>
            {
                b.WriteLong(lastZxid);
                foreach (var l in lists) b.WriteStrings(l);
            });
            foreach (var l in lists) l.Clear();
            size = 0;
        }
        foreach (var (paths, i) in new[] { (watches.Data, 0), (watches.Exist, 1), (watches.Child, 2) })
        {
            foreach (var path in paths)
            {
                var server = toServerPath(path);
                var bytes = Encoding.UTF8.GetByteCount(server) + 4;
                if (size + bytes > MaxBatchBytes) Flush();
                lists[i].Add(server);
                size += bytes;
            }
        }
        Flush();
        return w;
    }
}
