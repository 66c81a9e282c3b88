using Padlock.Redis.Tests.Fixtures;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Redis.Tests.Contract;

/// <summary>The election contract suite on a standalone redis-server (lease 6 s, renewed every second).</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisElectionContractTests(RedisFixture fixture) : ElectionContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new RedisContractTests.RedisAdapter(fixture);
}
