using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Redis.Tests.Contract;

/// <summary>The inspection contract on a standalone redis-server: holders sets, grants, modes, values and the queue, read by one script.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisInspectionContractTests(RedisFixture fixture) : PrimitiveInspectionContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new RedisContractTests.RedisAdapter(fixture);
}
