namespace Padlock.Cli.Tests.Infrastructure;

/// <summary>
/// Every CLI test shares one <see cref="StoreFixture"/> and runs one at a time: each test starts several processes,
/// and the machine's two cores are shared with other work.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<StoreFixture>
{
    public const string Name = "cli";
}
