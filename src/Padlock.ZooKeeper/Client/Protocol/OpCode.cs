namespace Padlock.ZooKeeper.Client.Protocol;

/// <summary>The request types this client sends (values from ZooDefs.OpCode).</summary>
internal enum OpCode
{
    Notification = 0,
    Create = 1,
    Delete = 2,
    Exists = 3,
    GetData = 4,
    SetData = 5,
    GetChildren = 8,
    Sync = 9,
    Ping = 11,
    GetChildren2 = 12,
    Check = 13,
    Multi = 14,
    Create2 = 15,
    CreateContainer = 19,
    Auth = 100,
    SetWatches = 101,
    CloseSession = -11,
    Error = -1,
}

/// <summary>The reserved xids of the protocol.</summary>
internal static class Xids
{
    public const int Notification = -1;
    public const int Ping = -2;
    public const int Auth = -4;
    public const int SetWatches = -8;
}
