using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Padlock.Tests.DependencyInjection;

/// <summary>
/// AddPadlock checks at registration everything that needs no network, refuses a second registration, and leaves a
/// provider that a synchronous <c>using</c> can dispose (issue 13, item 3).
/// </summary>
public sealed class RegistrationCheckTests
{
    [Fact]
    public void An_unknown_scheme_fails_at_registration_and_lists_the_known_ones()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddPadlock("foo://x"));
        Assert.Contains("Unknown store scheme 'foo://'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("redis://", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_store_whose_package_is_not_referenced_fails_at_registration_naming_the_package()
    {
        // This test assembly references the core only, so Padlock.Redis is absent.
        var ex = Assert.Throws<Padlock.Stores.StorePackageMissingException>(() => new ServiceCollection().AddPadlock("redis://localhost:6379"));
        Assert.Contains("Padlock.Redis package", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_option_fails_at_registration_naming_it_and_the_allowed_ones()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddPadlock("file:///tmp/padlock-di?pol=1s"));
        Assert.Contains("Unknown option 'pol'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("poll, losscheck", ex.Message, StringComparison.Ordinal);
        ex = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddPadlock("mem://?poll=fast"));
        Assert.Contains("Unknown option 'poll'", ex.Message, StringComparison.Ordinal);
        ex = Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddPadlock("file:///tmp/padlock-di?poll=fast"));
        Assert.Contains("not a duration", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_unkeyed_registration_is_an_error_that_points_to_keyed_providers()
    {
        var services = new ServiceCollection().AddPadlock("mem://");
        var ex = Assert.Throws<InvalidOperationException>(() => services.AddPadlock("file:///tmp/padlock-di"));
        Assert.Contains("AddKeyedPadlock", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => services.AddPadlock(_ => LockProvider.Create("mem://")));
    }

    [Fact]
    public void A_synchronous_using_disposes_the_provider_and_its_store()
    {
        var dir = Path.Combine(Path.GetTempPath(), "padlock-di-" + Guid.NewGuid().ToString("N"));
        ILockProvider provider;
        using (var sp = new ServiceCollection().AddPadlock("file://" + dir).BuildServiceProvider())
        {
            provider = sp.GetRequiredService<ILockProvider>();
            using var handle = provider.CreateLock("a").Acquire(TimeSpan.FromSeconds(5));
        }
        // Disposed with the container: the store refuses new calls.
        Assert.Throws<ObjectDisposedException>(() => provider.CreateLock("a").TryAcquire(TimeSpan.Zero));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task An_asynchronous_using_disposes_the_provider_too()
    {
        ILockProvider provider;
        await using (var sp = new ServiceCollection().AddPadlock("mem://").BuildServiceProvider())
        {
            provider = sp.GetRequiredService<ILockProvider>();
            await using var handle = await provider.CreateLock("a").AcquireAsync(TimeSpan.FromSeconds(5));
        }
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await provider.CreateLock("a").TryAcquireAsync(TimeSpan.Zero));
    }
}
