using Padlock.ZooKeeper.Client.Jute;

namespace Padlock.ZooKeeper.Client.Protocol;

/// <summary>A node's metadata. <see cref="Czxid"/> is the cluster-wide, strictly increasing id of the transaction that created it.</summary>
internal sealed record Stat(
    long Czxid, long Mzxid, long Ctime, long Mtime, int Version, int Cversion, int Aversion,
    long EphemeralOwner, int DataLength, int NumChildren, long Pzxid)
{
    public static Stat Read(JuteReader r)
        => new(r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadLong(), r.ReadInt(), r.ReadInt(), r.ReadInt(),
            r.ReadLong(), r.ReadInt(), r.ReadInt(), r.ReadLong());
}
