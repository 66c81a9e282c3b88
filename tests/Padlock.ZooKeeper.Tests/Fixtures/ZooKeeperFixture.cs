using Padlock.LocalServers;
using Padlock.ZooKeeper.Client;
using Xunit;

namespace Padlock.ZooKeeper.Tests.Fixtures;

/// <summary>One real standalone ZooKeeper for the tests of a collection; stopped (and its data deleted) afterwards.</summary>
public sealed class ZooKeeperFixture : IAsyncLifetime
{
    private ZooKeeperServer? _server;

    public ZooKeeperServer Server => _server ?? throw new InvalidOperationException("The ZooKeeper fixture did not start.");

    public string ConnectString => Server.ConnectString;

    public async Task InitializeAsync() => _server = await ZooKeeperServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    internal Task<ZooKeeperClient> ConnectAsync(string? chroot = null, TimeSpan? sessionTimeout = null, IReadOnlyList<string>? auth = null)
        => ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = ConnectString + chroot,
            SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(10),
            DigestAuth = auth ?? [],
        });
}

[CollectionDefinition(Name)]
public sealed class ZooKeeperCollection : ICollectionFixture<ZooKeeperFixture>
{
    public const string Name = "zookeeper";
}
