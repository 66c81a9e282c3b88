using Xunit;

namespace Padlock.Testing.Contract;

/// <summary>
/// What every primitive's contract suite shares: the store under test, and fresh providers (each a separate client of
/// the store) disposed after the test.
/// </summary>
public abstract class ContractTestBase : IAsyncLifetime
{
    private readonly List<ILockProvider> _providers = [];

    /// <summary>The store under test.</summary>
    protected abstract LockStoreAdapter Adapter { get; }

    /// <summary>A fresh provider, disposed after the test.</summary>
    protected ILockProvider NewProvider()
    {
        var p = Adapter.CreateProvider();
        lock (_providers) _providers.Add(p);
        return p;
    }

    /// <inheritdoc/>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public virtual async Task DisposeAsync()
    {
        foreach (var p in _providers) await p.DisposeAsync();
    }
}
