using Padlock.ZooKeeper.Client.Jute;

namespace Padlock.ZooKeeper.Client.Protocol;

/// <summary>The request records this client sends, written after the request header (paths are server paths).</summary>
internal static class Requests
{
    /// <summary>A request frame: length, <c>RequestHeader(xid, type)</c>, then the body.</summary>
    public static void Frame(JuteWriter w, int xid, OpCode op, Action<JuteWriter>? body)
    {
        w.BeginFrame();
        w.WriteInt(xid);
        w.WriteInt((int)op);
        body?.Invoke(w);
        w.EndFrame();
    }

    /// <summary>CreateRequest: path, data, ACL, flags (create, create2 and createContainer alike).</summary>
    public static void Create(JuteWriter w, string path, byte[] data, IReadOnlyList<Acl> acl, CreateMode mode)
    {
        w.WriteString(path);
        w.WriteBuffer(data);
        Acl.WriteList(w, acl);
        w.WriteInt((int)mode);
    }

    /// <summary>A path and a version (delete, check).</summary>
    public static void PathVersion(JuteWriter w, string path, int version)
    {
        w.WriteString(path);
        w.WriteInt(version);
    }

    /// <summary>A path and a watch flag (exists, getData, getChildren, getChildren2).</summary>
    public static void PathWatch(JuteWriter w, string path, bool watch)
    {
        w.WriteString(path);
        w.WriteBool(watch);
    }

    /// <summary>SetDataRequest: path, data, version.</summary>
    public static void SetData(JuteWriter w, string path, byte[] data, int version)
    {
        w.WriteString(path);
        w.WriteBuffer(data);
        w.WriteInt(version);
    }
}
