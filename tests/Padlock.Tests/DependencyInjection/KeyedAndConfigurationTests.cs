using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Padlock.Tests.DependencyInjection;

/// <summary>Keyed providers, binding from configuration, and no default store (issue 13, item 3).</summary>
public sealed class KeyedAndConfigurationTests
{
    [Fact]
    public async Task Keyed_providers_resolve_by_key_and_inject_with_FromKeyedServices()
    {
        var dir = Path.Combine(Path.GetTempPath(), "padlock-di-" + Guid.NewGuid().ToString("N"));
        var services = new ServiceCollection()
            .AddKeyedPadlock("orders", "file://" + dir)
            .AddKeyedPadlock("cache", "mem://")
            .AddPadlock("mem://")
            .AddSingleton<OrdersService>();
        await using (var sp = services.BuildServiceProvider())
        {
            Assert.Equal("file", sp.GetRequiredKeyedService<ILockProvider>("orders").StoreKind);
            Assert.Equal("mem", sp.GetRequiredKeyedService<ILockProvider>("cache").StoreKind);
            Assert.NotSame(sp.GetRequiredKeyedService<ILockProvider>("cache"), sp.GetRequiredService<ILockProvider>());

            var orders = sp.GetRequiredService<OrdersService>();
            Assert.Same(sp.GetRequiredKeyedService<ILockProvider>("orders"), orders.Locks);
            await using var handle = await orders.Locks.CreateLock("order-1").AcquireAsync(TimeSpan.FromSeconds(5));
            Assert.NotEmpty(Directory.EnumerateFiles(dir));
        }
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void A_key_registered_twice_is_an_error_naming_the_key()
    {
        var services = new ServiceCollection().AddKeyedPadlock("orders", "mem://");
        var ex = Assert.Throws<InvalidOperationException>(() => services.AddKeyedPadlock("orders", "mem://"));
        Assert.Contains("'orders'", ex.Message, StringComparison.Ordinal);
        services.AddKeyedPadlock("other", "mem://"); // another key is fine
    }

    [Fact]
    public void Keyed_registration_checks_the_uri_as_the_unkeyed_one_does()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddKeyedPadlock("orders", "foo://x"));
        Assert.Contains("Unknown store scheme", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_section_whose_value_is_the_uri_binds()
    {
        var config = Config(("Padlock", "mem://"));
        using var sp = new ServiceCollection().AddPadlock(config.GetSection("Padlock")).BuildServiceProvider();
        Assert.Equal("mem", sp.GetRequiredService<ILockProvider>().StoreKind);
    }

    [Fact]
    public void Uri_and_options_bind_and_options_are_checked_like_uri_options()
    {
        var dir = Path.Combine(Path.GetTempPath(), "padlock-di-" + Guid.NewGuid().ToString("N"));
        var config = Config(("Locks:Uri", "file://" + dir), ("Locks:Options:poll", "5ms"), ("Locks:Options:losscheck", "2s"));
        using (var sp = new ServiceCollection().AddKeyedPadlock("k", config.GetSection("Locks")).BuildServiceProvider())
        {
            var store = Assert.IsType<Padlock.FileSystem.FileLockStore>(((LockProvider)sp.GetRequiredKeyedService<ILockProvider>("k")).Store);
            Assert.Equal(Path.GetFullPath(dir), store.Directory);
        }
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);

        var bad = Config(("Locks:Uri", "file://" + dir), ("Locks:Options:poll", "fast"));
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddPadlock(bad.GetSection("Locks")));
        Assert.Contains("poll=fast", ex.Message, StringComparison.Ordinal);

        var unknown = Config(("Locks:Uri", "mem://"), ("Locks:Options:leese", "1s"));
        ex = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddPadlock(unknown.GetSection("Locks")));
        Assert.Contains("Unknown option 'leese'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_section_without_a_uri_or_with_an_unknown_key_fails_naming_the_section()
    {
        var empty = Config(("Other", "x"));
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddPadlock(empty.GetSection("Padlock")));
        Assert.Contains("No store URI in configuration section 'Padlock'", ex.Message, StringComparison.Ordinal);

        var typo = Config(("Padlock:Url", "mem://"));
        ex = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddPadlock(typo.GetSection("Padlock")));
        Assert.Contains("Unknown key 'Url'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddPadlock_without_a_store_is_refused_at_compile_time_and_at_run_time()
    {
        // No default store: the no-argument form is an obsolete-as-error overload, so `services.AddPadlock()` does not
        // compile; called through reflection it throws with the same explanation.
        var method = typeof(PadlockServiceCollectionExtensions).GetMethods()
            .Single(m => m.Name == "AddPadlock" && m.GetParameters().Length == 1);
        var obsolete = method.GetCustomAttribute<ObsoleteAttribute>();
        Assert.NotNull(obsolete);
        Assert.True(obsolete.IsError);
        var ex = Assert.Throws<TargetInvocationException>(() => method.Invoke(null, [new ServiceCollection()]));
        Assert.Contains("AddPadlock needs the store", Assert.IsType<ArgumentException>(ex.InnerException).Message, StringComparison.Ordinal);
    }

    private static IConfigurationRoot Config(params (string Key, string Value)[] pairs)
        => new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    private sealed class OrdersService([FromKeyedServices("orders")] ILockProvider locks)
    {
        public ILockProvider Locks { get; } = locks;
    }
}
