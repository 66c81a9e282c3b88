using Microsoft.Extensions.Time.Testing;
using Padlock.FileSystem;
using Padlock.Testing;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Tests.FileSystem;

public sealed class FileLockStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "padlock-tests", "filestore-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private LockProvider NewProvider() => new(new FileLockStore(new FileLockOptions { Directory = _dir }));

    [Fact]
    public async Task A_process_that_dies_releases_its_lock()
    {
        var name = "dies-" + Guid.NewGuid().ToString("N");
        await using var holder = await HolderProcess.AcquireAsync("file://" + _dir, name);
        await using var p = NewProvider();
        Assert.Null(await p.CreateLock(name).TryAcquireAsync());
        await holder.KillAsync(); // no release: the operating system drops the file lock with the process
        await using var h = await p.CreateLock(name).TryAcquireAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(h);
        Assert.True(h!.FencingToken > holder.FencingToken);
    }

    [Fact]
    public async Task A_wait_with_no_timeout_keeps_polling_until_another_process_releases()
    {
        var name = "infinite-" + Guid.NewGuid().ToString("N");
        await using var holder = await HolderProcess.AcquireAsync("file://" + _dir, name);
        await using var p = NewProvider();
        var waiting = p.CreateLock(name).AcquireAsync().AsTask(); // no timeout: wait as long as it takes
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        await holder.ReleaseAsync();
        // The guard only turns a hang into a failure; a working poll grants within milliseconds.
        await using var h = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(h.FencingToken > holder.FencingToken);
    }

    [Fact]
    public async Task Status_names_the_holding_process_and_its_token_without_taking_the_lock()
    {
        var name = "status-" + Guid.NewGuid().ToString("N");
        var store = new FileLockStore(new FileLockOptions { Directory = _dir });
        await using var p = new LockProvider(store);
        var never = await store.InspectAsync(name);
        Assert.False(never.IsHeld);
        Assert.Null(never.FencingToken);

        await using (var holder = await HolderProcess.AcquireAsync("file://" + _dir, name))
        {
            var held = await store.InspectAsync(name);
            Assert.True(held.IsHeld);
            Assert.Equal(holder.FencingToken, held.FencingToken);
            Assert.Contains($"/{holder.ProcessId}", held.Owner);
            Assert.InRange(held.Since!.Value, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
            await holder.ReleaseAsync();
        }
        var after = await store.InspectAsync(name);
        Assert.False(after.IsHeld);
        // Inspection took no lock: a try-lock right after still succeeds, with the next token.
        await using var h = await p.CreateLock(name).TryAcquireAsync();
        Assert.NotNull(h);
        Assert.Equal(after.FencingToken + 1, h!.FencingToken);
    }

    [Fact]
    public async Task A_release_in_another_process_wakes_the_waiter_without_a_poll()
    {
        var name = "wake-" + Guid.NewGuid().ToString("N");
        await using var holder = await HolderProcess.AcquireAsync("file://" + _dir, name);
        // A clock that never moves: the waiter's poll pauses never end, so only the release notification can wake it.
        var frozen = new FakeTimeProvider();
        await using var p = new LockProvider(new FileLockStore(new FileLockOptions { Directory = _dir }, frozen));
        var waiting = p.CreateLock(name).AcquireAsync().AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        await holder.ReleaseAsync();
        await using var h = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(h.FencingToken > holder.FencingToken);
    }

    [Fact]
    public async Task A_process_that_releases_cannot_take_the_lock_back_from_one_already_waiting()
    {
        var name = "fair-" + Guid.NewGuid().ToString("N");
        await using var a = NewProvider(); // two stores: two processes, as far as the OS locks can tell
        await using var b = NewProvider();
        var first = await a.CreateLock(name).AcquireAsync();
        var waiting = b.CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(30)).AsTask(); // in line now, holding the turn
        await first.DisposeAsync();
        Assert.Null(await a.CreateLock(name).TryAcquireAsync()); // barging straight back in is refused
        await using var second = await waiting;
        Assert.True(second.FencingToken > first.FencingToken);
    }

    [Fact]
    public async Task A_stalled_process_first_in_line_does_not_block_the_lock_for_good()
    {
        var name = "stalled-" + Guid.NewGuid().ToString("N");
        var store = new FileLockStore(new FileLockOptions { Directory = _dir });
        await using var p = new LockProvider(store);
        // What a waiter stopped with Ctrl-Z holds: the turn, with the lock itself free.
        using var stalledTurn = new FileStream(Path.ChangeExtension(store.PathFor(name), ".turn"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        Assert.Null(await p.CreateLock(name).TryAcquireAsync()); // no wait: the turn is taken, so "busy"
        await using var h = await p.CreateLock(name).TryAcquireAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(h); // after the turn patience, waiters try the lock itself
    }

    [Fact]
    public async Task Fencing_counter_survives_a_restart_of_every_process()
    {
        var name = "restart-" + Guid.NewGuid().ToString("N");
        long first;
        await using (var p = NewProvider())
        await using (var h = await p.CreateLock(name).AcquireAsync())
            first = h.FencingToken;
        await using (var p = NewProvider())
        await using (var h = await p.CreateLock(name).AcquireAsync())
            Assert.Equal(first + 1, h.FencingToken);
    }

    [Fact]
    public async Task A_deleted_lock_file_is_a_lost_lock_and_tokens_still_rise()
    {
        var name = "deleted-" + Guid.NewGuid().ToString("N");
        await using var p = new LockProvider(new FileLockStore(new FileLockOptions { Directory = _dir, LossCheckInterval = TimeSpan.FromMilliseconds(20) }));
        var store = (FileLockStore)p.Store;
        long before = 0;
        for (var i = 0; i < 3; i++)
            await using (var h = await p.CreateLock(name).AcquireAsync()) before = h.FencingToken;
        var held = await p.CreateLock(name).AcquireAsync();
        File.Delete(store.PathFor(name));
        await using var other = await NewProvider().CreateLock(name).AcquireAsync(TimeSpan.FromSeconds(10));
        Assert.True(other.FencingToken > held.FencingToken);
        await Eventually.TrueAsync(() => held.IsLost, "the hold whose file was deleted reports itself lost");
        await held.DisposeAsync();
        Assert.True(File.Exists(store.PathFor(name)), "releasing the lost hold must not touch the new holder's file");
        Assert.True(held.FencingToken > before);
    }

    [Theory]
    [InlineData("plain-name_1", "plain-name_1.lock")]
    [InlineData("a/b", "a%2Fb.lock")]
    [InlineData("..", "%2E%2E.lock")]
    [InlineData("a%2Fb", "a%252Fb.lock")]
    [InlineData("锁", "%E9%94%81.lock")]
    public void Names_map_to_safe_distinct_file_names(string name, string file)
        => Assert.Equal(file, LockFileNames.For(name));

    [Fact]
    public void Long_names_keep_a_prefix_and_a_hash_within_file_name_limits()
    {
        var a = LockFileNames.For(new string('é', 400));
        var b = LockFileNames.For(new string('é', 399) + "e");
        Assert.NotEqual(a, b);
        Assert.True(a.Length < 255);
        Assert.DoesNotContain('/', a);
    }
}
