using Padlock.Redis.Keys;
using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Redis.Tests.Contract;

/// <summary>The contract suite on Redlock over three masters; a hold is lost by deleting its key on two of them.</summary>
public sealed class RedlockContractTests(RedlockFixture fixture) : LockContractTests, IClassFixture<RedlockFixture>
{
    protected override LockStoreAdapter Adapter { get; } = new RedlockAdapter(fixture);

    private sealed class RedlockAdapter(RedlockFixture fixture) : LockStoreAdapter
    {
        private string Uri => $"redlock://{fixture.Endpoints}?lease=6s&renew=1s";

        public override string? CrossProcessUri => Uri;

        public override ILockProvider CreateProvider() => LockProvider.Create(Uri);

        // Without a majority the hold is gone: delete it on two of the three masters.
        public override async Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
        {
            var key = LockKeys.For("padlock:", handle.Name).Lock;
            foreach (var admin in fixture.Admins.Take(2)) Assert.True(await admin.GetDatabase().KeyDeleteAsync(key));
        }

        public override TimeSpan LossDetectionLimit => TimeSpan.FromSeconds(10);

        // No line (waiters retry on a release: redis.md), so not FIFO and nothing to count; no inspector.
    }
}
