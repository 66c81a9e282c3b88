using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Etcd.Tests;

[Collection("etcd")]
public sealed class EtcdContractTests(EtcdFixture fixture) : LockContractTests
{
    private readonly EtcdAdapter _adapter = new(fixture);

    protected override LockStoreAdapter Adapter => _adapter;

    private sealed class EtcdAdapter(EtcdFixture fixture) : LockStoreAdapter
    {
        private readonly string _uri = fixture.Uri();

        public override string? CrossProcessUri => _uri;

        public override ILockProvider CreateProvider() => LockProvider.Create(_uri);

        // Another client deletes the holder's key, as an operator's `etcdctl del` would.
        public override async Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
        {
            var store = (EtcdLockStore)((LockProvider)provider).Store;
            var keys = await fixture.Server.EtcdctlAsync("get", "--prefix", "--keys-only", store.Prefix + "/");
            var ours = keys.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single();
            await fixture.Server.EtcdctlAsync("del", ours);
        }

        public override TimeSpan LossDetectionLimit => TimeSpan.FromSeconds(10);

        public override bool IsFifo => true;

        public override bool CanInspect => true;

        // The lock's keys, PREFIX/#/NAME/LEASE[-N] (etcd.md), read with etcdctl; the one of lowest revision is the
        // holder's. The fixture's URI is etcd://HOST:PORT/PREFIX with no query, and contract names need no escaping.
        public override async Task<int?> QueuedAsync(string name)
        {
            var prefix = _uri[(_uri.LastIndexOf('/') + 1)..];
            var keys = await fixture.Server.EtcdctlAsync("get", "--prefix", "--keys-only", $"{prefix}/#/{name}/");
            return Math.Max(0, keys.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
        }
    }
}
