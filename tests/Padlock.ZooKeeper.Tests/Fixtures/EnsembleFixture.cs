using Padlock.LocalServers;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Fixtures;

/// <summary>A real 3-node ZooKeeper ensemble on loopback, shared by the failover tests (which run one at a time).</summary>
public sealed class EnsembleFixture : IAsyncLifetime
{
    private ZooKeeperEnsemble? _ensemble;

    public ZooKeeperEnsemble Ensemble => _ensemble ?? throw new InvalidOperationException("The ensemble did not start.");

    public async Task InitializeAsync() => _ensemble = await ZooKeeperEnsemble.StartAsync();

    public async Task DisposeAsync()
    {
        if (_ensemble is not null) await _ensemble.DisposeAsync();
    }

    /// <summary>Starts any stopped node again and waits until every node serves (tests leave the ensemble whole).</summary>
    public async Task HealAsync()
    {
        foreach (var node in Ensemble.Nodes) await node.StartAsync(TimeSpan.FromSeconds(90));
    }
}

[CollectionDefinition(Name)]
public sealed class EnsembleCollection : ICollectionFixture<EnsembleFixture>
{
    public const string Name = "zookeeper-ensemble";
}
