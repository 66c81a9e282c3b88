using Padlock.Stores;
using Padlock.Testing.Semaphores;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>The semaphore on the etcd line recipe (keys under PREFIX/#s/NAME/), through the store itself.</summary>
[Collection("etcd")]
public sealed class EtcdSemaphoreTests(EtcdFixture fixture) : LineSemaphoreStoreTests
{
    private readonly string _prefix = "t-" + Guid.NewGuid().ToString("N")[..8];

    protected override ISemaphoreStore CreateStore() => new EtcdLockStore(new EtcdLockOptions { Endpoints = { fixture.Server.Endpoint }, Prefix = _prefix });

    protected override ISemaphoreStore CreateStore(TimeSpan recheck)
        => new EtcdLockStore(new EtcdLockOptions { Endpoints = { fixture.Server.Endpoint }, Prefix = _prefix }) { LineRecheckInterval = recheck };

    protected override async Task<int> EntryCountAsync(string name)
    {
        var text = await fixture.Server.EtcdctlAsync("get", "--prefix", "--keys-only", _prefix + "/#s/" + name + "/");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
