using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Padlock.FileSystem;
using Padlock.InProcess;
using Padlock.Stores;
using Padlock.Testing;
using Padlock.Telemetry;
using Xunit;

namespace Padlock.Tests.Core;

[CollectionDefinition(nameof(TelemetryCollection), DisableParallelization = true)]
public sealed class TelemetryCollection;

// Not run in parallel with other classes: the telemetry test listens to process-wide instruments.
[Collection(nameof(TelemetryCollection))]
public sealed class LockProviderTests
{
    [Fact]
    public async Task Uri_entry_point_builds_the_embedded_stores()
    {
        await using var mem = LockProvider.Create("mem://");
        Assert.IsType<InProcessLockStore>(mem.Store);
        var dir = Path.Combine(Path.GetTempPath(), "padlock-tests", "uri-" + Guid.NewGuid().ToString("N")[..8], "nested");
        await using var file = LockProvider.Create($"file://{dir}?poll=5ms&losscheck=100ms");
        Assert.Equal(dir, ((FileLockStore)file.Store).Directory);
        Assert.True(Directory.Exists(dir), "the file store creates its directory");
        await using var dflt = LockProvider.Create(LockProvider.DefaultUri);
        Assert.Equal("file", dflt.StoreKind);
    }

    [Theory]
    [InlineData("nosuch://x", "Unknown store scheme 'nosuch://'")]
    [InlineData("just-a-name", "not a store URI")]
    [InlineData("mem://host", "takes no host")]
    [InlineData("mem://?x=1", "Unknown option 'x'")]
    [InlineData("file:///tmp/x?poll=0ms", "out of range")]
    public void Bad_uris_are_ArgumentExceptions_listing_what_is_known(string uri, string expected)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => LockProvider.Create(uri));
        Assert.Contains(expected, ex.Message);
        if (expected.StartsWith("Unknown store", StringComparison.Ordinal) || expected.StartsWith("not a", StringComparison.Ordinal))
            foreach (var scheme in new[] { "mem://", "file://", "redis://", "redlock://", "zk://", "etcd://" }) Assert.Contains(scheme, ex.Message);
    }

    [Fact]
    public void A_store_whose_package_is_not_referenced_says_which_package_to_add()
    {
        // This test project references only the core, so the Redis store's assembly is absent here.
        var ex = Assert.Throws<Padlock.Stores.StorePackageMissingException>(() => LockProvider.Create("redis://localhost:6379"));
        Assert.Contains("Padlock.Redis package", ex.Message);
        Assert.Equal("Padlock.Redis", ex.PackageName);
        Assert.Equal("redis", ex.Scheme);
        Assert.IsAssignableFrom<NotSupportedException>(ex);
    }

    [Fact]
    public void Bad_file_options_name_the_option_and_range()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new FileLockStore(new FileLockOptions { MaxPollInterval = TimeSpan.FromMinutes(1) }));
        Assert.Contains("MaxPollInterval", ex.Message);
        Assert.Contains("10s", ex.Message);
        Assert.Throws<ArgumentException>(() => new FileLockStore(new FileLockOptions { Directory = " " }));
    }

    [Fact]
    public async Task Telemetry_counts_acquisitions_failures_losses_and_timings_per_store()
    {
        var seen = new List<(string Name, double Value, string? Outcome)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == PadlockTelemetry.MeterName) l.EnableMeasurementEvents(i); };
        void Record(Instrument i, double v, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? store = null, outcome = null;
            foreach (var t in tags)
            {
                if (t.Key == "padlock.store") store = (string?)t.Value;
                if (t.Key == "padlock.outcome") outcome = (string?)t.Value;
            }
            if (store == "mem") lock (seen) seen.Add((i.Name, v, outcome));
        }
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();

        var store = new InProcessLockStore();
        await using var p = new LockProvider(store);
        var name = "telemetry-" + Guid.NewGuid();
        var h = await p.CreateLock(name).AcquireAsync();
        // "busy" from another flow: this flow, holding the name, would be refused as recursion before any telemetry.
        Assert.Null(await SeparateFlow.Run(async () => await p.CreateLock(name).TryAcquireAsync()));
        store.Break(name);
        await h.DisposeAsync();

        lock (seen)
        {
            Assert.Contains(seen, m => m.Name == "padlock.lock.acquisitions");
            Assert.Contains(seen, m => m.Name == "padlock.lock.failures" && m.Outcome == "busy");
            Assert.Contains(seen, m => m.Name == "padlock.lock.losses");
            Assert.Contains(seen, m => m.Name == "padlock.lock.acquire.duration" && m.Outcome == "acquired");
            Assert.Single(seen, m => m.Name == "padlock.lock.hold.duration"); // once: at loss, not again at release
        }
    }

    [Fact]
    public async Task AddPadlock_registers_one_provider_and_checks_the_uri_at_startup()
    {
        var services = new ServiceCollection().AddPadlock("mem://");
        await using var sp = services.BuildServiceProvider();
        var provider = sp.GetRequiredService<ILockProvider>();
        Assert.Same(provider, sp.GetRequiredService<ILockProvider>());
        Assert.Equal("mem", provider.StoreKind);
        Assert.ThrowsAny<ArgumentException>(() => new ServiceCollection().AddPadlock("not a uri"));
    }

    [Fact]
    public async Task Custom_stores_can_register_a_scheme()
    {
        LockProvider.RegisterStore(new TestFactory());
        await using var p = LockProvider.Create("test-scheme://");
        Assert.Equal("mem", p.StoreKind);
        Assert.Contains("test-scheme", LockProvider.KnownSchemes);
    }

    [Fact]
    public void The_default_context_describes_the_owner_as_host_and_process()
    {
        Assert.Equal($"{Environment.MachineName}/{Environment.ProcessId}", Padlock.Stores.StoreContext.Default.OwnerDescription);
    }

    [Fact]
    public void Public_surface_is_small_and_public_classes_are_sealed()
    {
        var types = typeof(LockProvider).Assembly.GetExportedTypes();
        // The one exception: the base of the "cannot reach the store" family, which store packages derive from
        // (EtcdUnavailableException), as IOException is for it.
        foreach (var t in types.Where(t => t.IsClass && !t.IsAbstract && t != typeof(Padlock.Stores.LockStoreUnavailableException)))
            Assert.True(t.IsSealed, $"{t} is public and not sealed");
        Assert.All(types, t => Assert.StartsWith(t.Namespace == "Microsoft.Extensions.DependencyInjection" ? "Microsoft" : "Padlock", t.Namespace));
        Assert.DoesNotContain(types, t => t.Namespace == "Padlock.Internal");
    }

    private sealed class TestFactory : ILockStoreFactory
    {
        public IReadOnlyList<string> Schemes => ["test-scheme"];
        public ILockStore Create(StoreUri uri, StoreContext context) => new InProcessLockStore();
    }
}
