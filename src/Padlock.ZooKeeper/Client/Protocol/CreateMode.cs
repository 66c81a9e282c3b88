namespace Padlock.ZooKeeper.Client.Protocol;

/// <summary>How a node is created (the flag values on the wire).</summary>
internal enum CreateMode
{
    Persistent = 0,
    Ephemeral = 1,
    PersistentSequential = 2,
    EphemeralSequential = 3,
    /// <summary>Removed by the server some time after its last child goes.</summary>
    Container = 4,
}

internal static class CreateModes
{
    public static bool IsSequential(this CreateMode mode) => mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential;
}
