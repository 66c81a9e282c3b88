using Padlock.Redis.Tests.Fixtures;
using Padlock.Stores;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Redis.Tests.Contract;

/// <summary>The inspection contract on a standalone redis-server: holders sets, grants, modes, values and the queue, read by one script.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisInspectionContractTests(RedisFixture fixture) : PrimitiveInspectionContractTests
{
    protected override LockStoreAdapter Adapter { get; } = new RedisContractTests.RedisAdapter(fixture);

    [Fact]
    public async Task Inspecting_writes_no_key()
    {
        var prefix = "ro-" + Guid.NewGuid().ToString("N")[..8] + ":";
        await using var provider = LockProvider.Create($"redis://{fixture.Endpoint}?prefix={prefix}");
        var inspector = (IPrimitiveInspector)provider.Store;
        await inspector.InspectSemaphoreAsync("ro", 2);
        await inspector.InspectReaderWriterAsync("ro");
        await inspector.InspectElectionAsync("ro");
        var server = fixture.Admin.GetServer(fixture.Admin.GetEndPoints()[0]);
        Assert.Empty(server.Keys(pattern: prefix + "*"));
    }
}
