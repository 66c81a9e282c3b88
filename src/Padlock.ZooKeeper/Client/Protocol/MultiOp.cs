using Padlock.ZooKeeper.Client.Jute;

namespace Padlock.ZooKeeper.Client.Protocol;

/// <summary>One operation of a multi (transaction): all of them apply, or none.</summary>
internal abstract record MultiOp(OpCode Type, string Path)
{
    public static MultiOp Create(string path, byte[]? data, CreateMode mode, IReadOnlyList<Acl>? acl = null) => new CreateOp(path, data ?? [], mode, acl ?? Acl.Open);

    public static MultiOp Delete(string path, int version = -1) => new DeleteOp(path, version);

    public static MultiOp SetData(string path, byte[] data, int version = -1) => new SetDataOp(path, data, version);

    public static MultiOp Check(string path, int version) => new CheckOp(path, version);

    public abstract void WriteBody(JuteWriter w, string serverPath);

    internal sealed record CreateOp(string Path, byte[] Data, CreateMode Mode, IReadOnlyList<Acl> Acl)
        : MultiOp(Mode == CreateMode.Container ? OpCode.CreateContainer : OpCode.Create, Path)
    {
        public override void WriteBody(JuteWriter w, string serverPath)
        {
            Requests.Create(w, serverPath, Data, Acl, Mode);
        }
    }

    internal sealed record DeleteOp(string Path, int Version) : MultiOp(OpCode.Delete, Path)
    {
        public override void WriteBody(JuteWriter w, string serverPath)
        {
            Requests.PathVersion(w, serverPath, Version);
        }
    }

    internal sealed record SetDataOp(string Path, byte[] Data, int Version) : MultiOp(OpCode.SetData, Path)
    {
        public override void WriteBody(JuteWriter w, string serverPath)
        {
            Requests.SetData(w, serverPath, Data, Version);
        }
    }

    internal sealed record CheckOp(string Path, int Version) : MultiOp(OpCode.Check, Path)
    {
        public override void WriteBody(JuteWriter w, string serverPath)
        {
            Requests.PathVersion(w, serverPath, Version);
        }
    }
}

/// <summary>
/// The result of one operation of a multi. <see cref="Error"/> is Ok for a success; in a failed multi the failing
/// operation carries its code, the ones before it Ok and the ones after it RuntimeInconsistency.
/// </summary>
internal sealed record MultiResult(OpCode Type, ZooKeeperErrorCode Error, string? Path = null, Stat? Stat = null)
{
    /// <summary>Reads the results, by the type each result header names (3.8.0/3.8.1 answer create2 with a create result).</summary>
    public static List<MultiResult> ReadAll(JuteReader r, Func<string, string> toClientPath)
    {
        var results = new List<MultiResult>();
        while (true)
        {
            var type = r.ReadInt();
            var done = r.ReadBool();
            var err = r.ReadInt();
            if (done) break;
            // Each result takes at least its 9-byte header: an endless stream of them cannot fit in a bounded frame.
            results.Add((OpCode)type switch
            {
                OpCode.Create => new MultiResult(OpCode.Create, ZooKeeperErrorCode.Ok, toClientPath(r.ReadRequiredString())),
                OpCode.Create2 or OpCode.CreateContainer => new MultiResult((OpCode)type, ZooKeeperErrorCode.Ok, toClientPath(r.ReadRequiredString()), Stat.Read(r)),
                OpCode.Delete or OpCode.Check => new MultiResult((OpCode)type, ZooKeeperErrorCode.Ok),
                OpCode.SetData => new MultiResult(OpCode.SetData, ZooKeeperErrorCode.Ok, Stat: Stat.Read(r)),
                OpCode.Error => new MultiResult(OpCode.Error, (ZooKeeperErrorCode)r.ReadInt()),
                _ => throw new ProtocolException($"A multi result has the unknown type {type}."),
            });
            _ = err;
        }
        return results;
    }
}
