using Padlock.Stores;
using Padlock.Testing.Semaphores;
using Padlock.ZooKeeper.Locks;
using Padlock.ZooKeeper.Tests.Fixtures;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Locks;

/// <summary>The semaphore on the ZooKeeper line recipe (entries under ROOT/%sem/NAME), through the store itself.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ZooKeeperSemaphoreTests(ZooKeeperFixture zk) : LineSemaphoreStoreTests
{
    private readonly string _root = "/sem-" + Guid.NewGuid().ToString("N")[..8];

    protected override ISemaphoreStore CreateStore() => new ZooKeeperLockStore(new ZooKeeperLockOptions { Servers = [zk.ConnectString], Root = _root });

    protected override ISemaphoreStore CreateStore(TimeSpan recheck)
        => new ZooKeeperLockStore(new ZooKeeperLockOptions { Servers = [zk.ConnectString], Root = _root }) { LineRecheckInterval = recheck };

    protected override async Task<int> EntryCountAsync(string name)
    {
        await using var c = await zk.ConnectAsync();
        var store = new ZooKeeperLockStore(new ZooKeeperLockOptions { Servers = [zk.ConnectString], Root = _root });
        await using (store)
        {
            try
            {
                return LockNodeNames.Queue(await c.GetChildrenAsync(store.SemaphoreParentPath(name))).Count;
            }
            catch (ZooKeeperException ex) when (ex.Code == ZooKeeperErrorCode.NoNode)
            {
                return 0;
            }
        }
    }
}
