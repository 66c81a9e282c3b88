using Npgsql;
using Padlock.Stores;

namespace Padlock.Postgres;

/// <summary>
/// Options of the PostgreSQL store (<c>postgres://host:5432/database?user=U&amp;password=P&amp;lease=30s&amp;table=padlock_fencing</c>,
/// other query keys passed to Npgsql). Checked when the store is built.
/// </summary>
public sealed class PostgresLockOptions
{
    /// <summary>
    /// An Npgsql connection string, used when <see cref="DataSource"/> is null. The store builds (and disposes) its own
    /// pooled data source from it. Each held or waiting lock takes one connection of the pool for its whole duration, so
    /// <c>Maximum Pool Size</c> (Npgsql's default 100) bounds how many locks one store can hold and wait for at once.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>An existing data source (your own connection pool) to take connections from; the store does not dispose it. Default null.</summary>
    public NpgsqlDataSource? DataSource { get; set; }

    /// <summary>
    /// The fencing counter table, <c>table</c> or <c>schema.table</c> (letters, digits and '_', not starting with a
    /// digit; stored in lower case). Default <c>padlock_fencing</c>. URI: <c>table</c>.
    /// </summary>
    public string Table { get; set; } = "padlock_fencing";

    /// <summary>
    /// Create the counter table on first use (<c>CREATE TABLE IF NOT EXISTS</c>) when it is missing. Turn off where the
    /// application's role may not create tables, and create it with <c>padlock postgres init</c>'s SQL
    /// (<see cref="PostgresLockStore.SchemaSql"/>) instead. Default true. URI: <c>createschema</c>.
    /// </summary>
    public bool CreateSchema { get; set; } = true;

    /// <summary>
    /// How long a hold survives silence between this process and the server (URI <c>lease</c>). The holder checks its
    /// connection every fifth of it, and reports the hold lost once no check has succeeded for two thirds of it; the
    /// server ends a session whose client stops answering TCP keep-alives after about the whole of it, freeing the lock.
    /// Whole seconds, 6 s to 1 h. Default 30 s.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long this store may keep a lock for its own callers before giving other processes their turn (bounded
    /// batching). Callers of one store that want the same lock line up in memory, and a release hands the held advisory
    /// lock straight to the next of them, without a round trip, for at most this long or <see cref="HandOffBatch"/>
    /// grants from when the server granted it; then the next release gives the lock back to the server, whose queue
    /// serves processes already waiting there first. The server cannot tell the store that someone waits, so every turn
    /// is bounded (one round trip more per turn when nobody does). Zero: every release with a local caller waiting goes
    /// through the server's queue (strict first come, first served between processes). Default 2ms; 0ms to 1s. URI: slice.
    /// </summary>
    public TimeSpan HandOffSlice { get; set; } = HandOffSliceSetting.Default;

    /// <summary>
    /// The most grants of one lock this store's callers get in one turn (with <see cref="HandOffSlice"/>, whichever ends
    /// the turn first); also the number of fencing tokens a turn reserves with its grant. Default 64; 1 to 256. URI: batch.
    /// </summary>
    public int HandOffBatch { get; set; } = (int)HandOffBatchSetting.Default;

    internal static readonly DurationSetting HandOffSliceSetting =
        new(nameof(PostgresLockOptions), nameof(HandOffSlice), "slice", TimeSpan.FromMilliseconds(2), TimeSpan.Zero, TimeSpan.FromSeconds(1));

    internal static readonly NumberSetting HandOffBatchSetting =
        new(nameof(PostgresLockOptions), nameof(HandOffBatch), "batch", 64, 1, 256);

    internal void Validate()
    {
        if (DataSource is null && string.IsNullOrWhiteSpace(ConnectionString))
            throw new ArgumentException("PostgresLockOptions needs a ConnectionString or a DataSource.", nameof(ConnectionString));
        if (DataSource is not null && !string.IsNullOrWhiteSpace(ConnectionString))
            throw new ArgumentException("PostgresLockOptions takes a ConnectionString or a DataSource, not both.", nameof(ConnectionString));
        FencingTable.Validate(Table);
        if (Lease < TimeSpan.FromSeconds(6) || Lease > TimeSpan.FromHours(1) || Lease.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new ArgumentOutOfRangeException(nameof(Lease), Lease, "PostgresLockOptions.Lease must be whole seconds between 6s and 1h.");
        HandOffSliceSetting.Check(HandOffSlice);
        HandOffBatchSetting.Check(HandOffBatch);
    }
}
