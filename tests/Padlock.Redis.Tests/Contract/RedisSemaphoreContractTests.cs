using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Redis.Tests.Contract;

/// <summary>The semaphore contract suite on a standalone redis-server.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisSemaphoreContractTests(RedisFixture fixture) : SemaphoreContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new RedisContractTests.RedisAdapter(fixture);
}
