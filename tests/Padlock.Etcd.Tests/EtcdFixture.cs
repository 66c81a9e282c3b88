using Padlock.LocalServers;
using Xunit;

namespace Padlock.Etcd.Tests;

/// <summary>One real single-member etcd for the test classes of the "etcd" collection.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    /// <summary>A URI on this server with a prefix of its own, so test classes never see each other's keys.</summary>
    public string Uri(string query = "") => $"etcd://{Server.Endpoint}/t-{Guid.NewGuid().ToString("N")[..8]}{query}";

    public async Task InitializeAsync() => Server = await EtcdServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition("etcd")]
public sealed class EtcdCollection : ICollectionFixture<EtcdFixture>;
