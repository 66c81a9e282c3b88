using Microsoft.Extensions.Logging;
using Padlock.Internal;
using Padlock.Sharding.Directory;
using Padlock.Stores;

namespace Padlock.Sharding;

/// <summary>
/// Reads and changes the shard map in a directory, for <c>padlock shards</c> and for programs that manage their own
/// shards. A change is two compare-and-set steps (see docs/sharding.md): epoch e+1 "moving" (a name that moves is held
/// on its old store, then its new one), written once every client runs epoch e; then, once every client reports e+1
/// and a margin for clock drift has passed, epoch e+2 "stable" on the new shards. Killed at any point, the map is one
/// that clients follow and that <see cref="FinishAsync"/> or <see cref="AbortAsync"/> completes.
/// </summary>
public sealed class ShardMapAdmin : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);
    private readonly ILockStore _directoryStore;
    private readonly IShardDirectory _directory;
    private readonly StoreContext _context;
    private readonly ILogger _logger;

    /// <summary>Opens the admin over a directory store (which it owns and disposes).</summary>
    /// <exception cref="ArgumentException">The store cannot keep a shard map (not <c>zk://</c> or <c>etcd://</c>).</exception>
    public ShardMapAdmin(ILockStore directoryStore, StoreContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(directoryStore);
        if (directoryStore is not IShardDirectoryStore directories)
            throw new ArgumentException(
                $"A {directoryStore.Kind}:// store cannot keep a shard map: the directory must be a consensus store (zk:// or etcd://).", nameof(directoryStore));
        _directoryStore = directoryStore;
        _directory = directories.OpenShardDirectory();
        _context = context ?? StoreContext.Default;
        _logger = _context.LoggerFactory.CreateLogger("Padlock.Sharding");
    }

    /// <summary>Opens the admin for the directory at <paramref name="directoryUri"/>.</summary>
    /// <exception cref="ArgumentException">A malformed URI, or a store that cannot keep a shard map.</exception>
    public static ShardMapAdmin Open(string directoryUri, StoreContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(directoryUri);
        context ??= StoreContext.Default;
        var parsed = StoreRegistry.ParseKnown(directoryUri.Trim());
        var store = StoreRegistry.FactoryFor(parsed.Scheme).Create(parsed, context);
        try
        {
            return new ShardMapAdmin(store, context);
        }
        catch (ArgumentException ex)
        {
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw new ArgumentException(ex.Message, nameof(directoryUri), ex);
        }
    }

    /// <summary>Where the map is kept.</summary>
    public string DirectoryDescription => _directory.Description;

    /// <summary>
    /// How long after every client reports the epoch a step waits for, before the next step is written: covers a client
    /// whose registration just expired, which stops granting by its own clock, and may count a little slower than the
    /// directory's. Default 2 s; raise it for session timeouts or lease TTLs beyond a minute.
    /// </summary>
    public TimeSpan ExpiryMargin { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The map, or null when none was written.</summary>
    public async ValueTask<ShardMap?> ReadMapAsync(CancellationToken cancellationToken = default)
        => await _directory.ReadMapAsync(cancellationToken).ConfigureAwait(false) is { } entry ? ShardMap.Parse(entry.Document) : null;

    /// <summary>The clients following the map and the oldest epoch each may still grant or hold under.</summary>
    public async ValueTask<IReadOnlyList<ShardClientReport>> ReadClientsAsync(CancellationToken cancellationToken = default)
        => [.. (await _directory.ReadClientsAsync(cancellationToken).ConfigureAwait(false)).Select(c => ShardClientReport.Parse(c.ClientId, c.Value))];

    /// <summary>
    /// Which of <paramref name="names"/> would move if <paramref name="current"/> became <paramref name="shards"/>
    /// (placement compares stores, so a shard whose URI is respelt does not move names).
    /// </summary>
    /// <exception cref="ArgumentException">The new shards are not a valid table (see <see cref="ApplyAsync"/>).</exception>
    public static ShardPlan Plan(ShardMap? current, IReadOnlyDictionary<string, string> shards, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var target = ShardTables.Validated(shards, nameof(shards));
        var from = current?.Target;
        var moves = new List<ShardMove>();
        var perShard = target.Ids.ToDictionary(id => id, _ => 0, StringComparer.Ordinal);
        var count = 0;
        foreach (var name in names)
        {
            count++;
            var to = target.ShardFor(name);
            perShard[to]++;
            if (from is null) continue;
            var was = from.ShardFor(name);
            if (ShardTables.IdentityOf(from.Shards[was]) != ShardTables.IdentityOf(target.Shards[to])) moves.Add(new(name, was, to));
        }
        return new ShardPlan(count, moves, perShard);
    }

    /// <summary>
    /// Changes the map to <paramref name="shards"/> (or writes the first map): refuses before any step if a new shard
    /// cannot be reached; waits for every client to run the current epoch; writes "moving"; waits for every client to
    /// report it, plus <see cref="ExpiryMargin"/>; writes "stable"; waits for every client to report that.
    /// </summary>
    /// <param name="shards">Shard id → store URI. Ids: 1 to 64 letters, digits, '-', '_' or '.'; stores: server stores
    /// (<c>redis://</c>, <c>zk://</c>, <c>etcd://</c>, <c>postgres://</c>), each at most once.</param>
    /// <param name="progress">Told each step and which clients it waits for.</param>
    /// <param name="cancellationToken">Stops waiting (the map stays as last written: finish or abort it later).</param>
    /// <returns>The final map.</returns>
    /// <exception cref="ArgumentException">No shards, a bad id, a bad or local (<c>file://</c>, <c>mem://</c>) URI, or one store under two ids.</exception>
    /// <exception cref="LockStoreUnavailableException">A new shard cannot be reached (nothing was written), or the directory cannot.</exception>
    /// <exception cref="InvalidOperationException">A change is halfway (finish or abort it), or another change wrote the map meanwhile.</exception>
    public async Task<ShardMap> ApplyAsync(IReadOnlyDictionary<string, string> shards, IProgress<ShardChangeProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var table = ShardTables.Validated(shards, nameof(shards));
        var entry = await _directory.ReadMapAsync(cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            await ProbeAsync(table, null, cancellationToken).ConfigureAwait(false);
            var first = ShardMap.Initial(table.Shards);
            await WriteAsync(first, null, progress, cancellationToken).ConfigureAwait(false);
            return first;
        }
        var map = ShardMap.Parse(entry.Document);
        if (map.IsMoving)
            throw new InvalidOperationException(
                $"A change is halfway in {_directory.Description} (epoch {map.Epoch}, moving to {Describe(map.Target)}): finish it (padlock shards apply --finish) or abort it (--abort) first.");
        if (ShardTables.SamePlacement(map.Target, table)) return map;
        await ProbeAsync(table, map.Target, cancellationToken).ConfigureAwait(false);
        await WaitForClientsAsync(map.Epoch, "waiting for every client to run the current epoch", progress, cancellationToken).ConfigureAwait(false);
        await WriteAsync(map.BeginMove(table.Shards), entry.Version, progress, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes a change left halfway (the map is "moving"); returns the map unchanged when none is.</summary>
    /// <exception cref="InvalidOperationException">Another change wrote the map meanwhile.</exception>
    public async Task<ShardMap> FinishAsync(IProgress<ShardChangeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var entry = await _directory.ReadMapAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The shard directory {_directory.Description} has no map.");
        var map = ShardMap.Parse(entry.Document);
        if (!map.IsMoving) return map;
        await WaitForClientsAsync(map.Epoch, "waiting for every client to run the moving epoch", progress, cancellationToken).ConfigureAwait(false);
        progress?.Report(new("waiting out the expiry margin", map.Epoch, []));
        await Task.Delay(ExpiryMargin, _context.TimeProvider, cancellationToken).ConfigureAwait(false);
        var done = map.FinishMove();
        await WriteAsync(done, entry.Version, progress, cancellationToken).ConfigureAwait(false);
        await WaitForClientsAsync(done.Epoch, "waiting for every client to run the new epoch", progress, cancellationToken).ConfigureAwait(false);
        return done;
    }

    /// <summary>
    /// Abandons a change left halfway: the map goes back to the shards it moved from, at a new epoch. Safe at any time
    /// (no token was issued under the abandoned table).
    /// </summary>
    /// <exception cref="InvalidOperationException">No change is halfway, or another change wrote the map meanwhile.</exception>
    public async Task<ShardMap> AbortAsync(IProgress<ShardChangeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var entry = await _directory.ReadMapAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The shard directory {_directory.Description} has no map.");
        var map = ShardMap.Parse(entry.Document);
        if (!map.IsMoving) throw new InvalidOperationException($"No change is halfway in {_directory.Description} (epoch {map.Epoch} is stable): nothing to abort.");
        var back = map.AbortMove();
        await WriteAsync(back, entry.Version, progress, cancellationToken).ConfigureAwait(false);
        await WaitForClientsAsync(back.Epoch, "waiting for every client to run the restored epoch", progress, cancellationToken).ConfigureAwait(false);
        return back;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _directory.DisposeAsync().ConfigureAwait(false);
        await _directoryStore.DisposeAsync().ConfigureAwait(false);
    }

    private async Task WriteAsync(ShardMap map, long? expectedVersion, IProgress<ShardChangeProgress>? progress, CancellationToken cancellationToken)
    {
        if (!await _directory.TryWriteMapAsync(map.ToJson(), expectedVersion, cancellationToken).ConfigureAwait(false))
            throw new InvalidOperationException(
                $"The shard map in {_directory.Description} changed while this change ran (another apply?); nothing more was written. Read it (padlock shards show) and try again.");
        _logger.LogInformation("Wrote shard map {Map} to {Directory}", map, _directory.Description);
        progress?.Report(new(map.IsMoving ? "wrote the moving map" : "wrote the stable map", map.Epoch, []));
    }

    private async Task WaitForClientsAsync(long epoch, string step, IProgress<ShardChangeProgress>? progress, CancellationToken cancellationToken)
    {
        while (true)
        {
            var waiting = (await ReadClientsAsync(cancellationToken).ConfigureAwait(false)).Where(c => c.Epoch < epoch).ToList();
            if (waiting.Count == 0) return;
            progress?.Report(new(step, epoch, waiting));
            await Task.Delay(PollInterval, _context.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes and frees a probe lock on every shard that is new to the map, so an unreachable one stops the change before it starts.</summary>
    private async Task ProbeAsync(ShardTable table, ShardTable? current, CancellationToken cancellationToken)
    {
        var known = current is null ? [] : current.Shards.Values.Select(ShardTables.IdentityOf).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, uri) in table.Shards)
        {
            if (known.Contains(ShardTables.IdentityOf(uri))) continue;
            var parsed = StoreRegistry.ParseKnown(uri);
            var store = StoreRegistry.FactoryFor(parsed.Scheme).Create(parsed, _context);
            try
            {
                using var wait = new LockWait(TimeSpan.Zero, cancellationToken, _context.TimeProvider);
                if (await store.TryAcquireAsync("padlock-shards-probe", wait).ConfigureAwait(false) is { } probe)
                    await probe.ReleaseAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw new LockStoreUnavailableException(parsed.Scheme, [uri],
                    $"Shard '{id}' ({StoreUri.Redact(uri)}) cannot be reached, so the change was not started: {ex.Message}", ex);
            }
            finally
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static string Describe(ShardTable table) => string.Join(", ", table.Shards.Select(p => p.Key + "=" + StoreUri.Redact(p.Value)));
}

/// <summary>One step of a change, and the clients it waits for (empty when it just wrote the map).</summary>
/// <param name="Step">What the change is doing.</param>
/// <param name="Epoch">The epoch the step writes or waits for.</param>
/// <param name="Waiting">The clients that do not run that epoch yet.</param>
public sealed record ShardChangeProgress(string Step, long Epoch, IReadOnlyList<ShardClientReport> Waiting);

/// <summary>What a change would do to a sample of names.</summary>
/// <param name="Names">How many names were placed.</param>
/// <param name="Moves">The names that would move, with the shard ids they move from and to.</param>
/// <param name="PerShard">How many of the names each new shard would hold.</param>
public sealed record ShardPlan(int Names, IReadOnlyList<ShardMove> Moves, IReadOnlyDictionary<string, int> PerShard);

/// <summary>A name that moves.</summary>
/// <param name="Name">The name.</param>
/// <param name="From">The shard id it leaves.</param>
/// <param name="To">The shard id it goes to.</param>
public sealed record ShardMove(string Name, string From, string To);
