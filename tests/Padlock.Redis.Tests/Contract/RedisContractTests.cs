using Padlock.Redis.Keys;
using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Redis.Tests.Contract;

/// <summary>The contract suite on a standalone redis-server; a hold is lost by deleting its key.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisContractTests(RedisFixture fixture) : LockContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new RedisAdapter(fixture);

    internal sealed class RedisAdapter(RedisFixture fixture) : LockStoreAdapter
    {
        // Frequent renewal so a deleted key is noticed within about a second; a lease long enough that a stall of the
        // loaded test machine does not expire a hold the test means to keep.
        private string Uri => $"redis://{fixture.Endpoint}?lease=6s&renew=1s";

        public override string? CrossProcessUri => Uri;

        public override ILockProvider CreateProvider() => LockProvider.Create(Uri);

        public override async Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
            => Assert.True(await fixture.Admin.GetDatabase().KeyDeleteAsync(LockKeys.For("padlock:", handle.Name).Lock));

        public override TimeSpan LossDetectionLimit => TimeSpan.FromSeconds(10);

        public override bool IsFifo => true;

        public override bool CanInspect => true;

        // Every provider here is a store of its own, so each waiter has its own entry in the name's queue list.
        public override async Task<int?> QueuedAsync(string name)
            => (int)await fixture.Admin.GetDatabase().ListLengthAsync(LockKeys.For("padlock:", name).Queue);
    }
}
