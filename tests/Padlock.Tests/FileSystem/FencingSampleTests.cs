using Padlock.Samples.Fencing;
using Xunit;

namespace Padlock.Tests.FileSystem;

/// <summary>docs/fencing.md's file sample, with real tokens from the file:// store.</summary>
public sealed class FencingSampleTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "padlock-tests", "fencing-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task A_stale_holder_can_neither_write_nor_read_then_write_over_a_newer_holder()
    {
        Directory.CreateDirectory(_dir);
        await using var provider = LockProvider.Create($"file://{_dir}/locks");
        var theLock = provider.CreateLock("resource");
        long old, current;
        await using (var first = await theLock.AcquireAsync()) old = first.FencingToken;
        await using (var second = await theLock.AcquireAsync()) current = second.FencingToken;
        var resource = new FencedFile(Path.Combine(_dir, "resource.bin"));

        resource.Write([1], old);
        Assert.Equal([1], resource.Read(current));
        var stale = Assert.Throws<StaleFencingTokenException>(() => resource.Write([9], old));
        Assert.Equal(old, stale.Token);
        Assert.Throws<StaleFencingTokenException>(() => resource.Read(old));
        resource.Write([2, 3], current);
        Assert.Equal([2, 3], resource.Read(current));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }
}
