using Padlock.Testing.Contract;
using Padlock.ZooKeeper.Client;
using Padlock.ZooKeeper.Locks;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>The contract every store passes, for zk:// against a real ZooKeeper.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ZooKeeperContractTests(ZooKeeperFixture zk) : LockContractTests
{
    private readonly ZooKeeperAdapter _adapter = new(zk);

    protected override LockStoreAdapter Adapter => _adapter;

    private sealed class ZooKeeperAdapter(ZooKeeperFixture zk) : LockStoreAdapter
    {
        public override string? CrossProcessUri => $"zk://{zk.ConnectString}/contract";

        public override ILockProvider CreateProvider() => LockProvider.Create($"zk://{zk.ConnectString}/contract");

        // Another client deletes the holder's entry, as an operator or a buggy process might.
        public override async Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
        {
            var store = (ZooKeeperLockStore)((LockProvider)provider).Store;
            var parent = store.ParentPath(handle.Name);
            await using var other = await zk.ConnectAsync();
            var holder = LockNodeNames.Queue(await other.GetChildrenAsync(parent))[0];
            await other.DeleteAsync(parent + "/" + holder);
        }

        public override bool IsFifo => true;

        public override bool CanInspect => true;

        // The lock node's sequential children, read by a client of our own; the first is the holder's.
        public override async Task<int?> QueuedAsync(string name)
        {
            await using var c = await zk.ConnectAsync();
            try
            {
                var line = LockNodeNames.Queue(await c.GetChildrenAsync(ZkPaths.Combine("/contract", LockNodeNames.Encode(name))));
                return Math.Max(0, line.Count - 1);
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
            {
                return 0;
            }
        }
    }
}
