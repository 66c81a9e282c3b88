using Microsoft.Extensions.Logging;
using Npgsql;

namespace Padlock.Postgres;

/// <summary>Giving a lock connection back to the pool without any advisory lock still on its session.</summary>
internal static class Connections
{
    private static readonly TimeSpan UnlockTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Frees every advisory lock of the connection's session, then closes it (back to the pool). A pooled connection is
    /// reset only when it is next used, so one given back still holding a lock would keep that lock until then. When the
    /// unlock fails the connection is broken (Npgsql then discards it and the server ends the session, freeing its
    /// locks), or the unlock met a stray cancel request of an earlier wait: that is tried once more.
    /// </summary>
    /// <param name="connection">The lock connection.</param>
    /// <param name="logger">Where a failed unlock goes.</param>
    /// <param name="notify">
    /// A channel to notify once the locks are freed (a semaphore's: its head waiter then tries the slots again); the
    /// session's LISTEN and any open transaction are ended too. Null for a lock.
    /// </param>
    public static async Task ReturnAsync(NpgsqlConnection connection, ILogger logger, string? notify = null)
    {
        // The channel is our own hex identifier (SemaphoreKeys.Channel), so it is safe inline. ROLLBACK first: a
        // session-level unlock in an aborted transaction would fail, and the locks would stay until the pool's reset.
        var sql = notify is null
            ? "SELECT pg_advisory_unlock_all()"
            : $"ROLLBACK; SELECT pg_advisory_unlock_all(), pg_notify('{notify}', ''); UNLISTEN *";
        for (var attempt = 0; attempt < 2 && connection.State == System.Data.ConnectionState.Open; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(UnlockTimeout);
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync(timeout.Token).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or InvalidOperationException)
            {
                logger.LogDebug(ex, "Could not unlock a PostgreSQL lock connection (attempt {Attempt})", attempt + 1);
            }
        }
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// After a wait on <paramref name="connection"/> was cancelled: gives the connection back, then decides what the
    /// cancellation was. The store closing is <see cref="ObjectDisposedException"/>, the caller's token is rethrown as
    /// theirs, and the wait's own deadline is "not acquired" (true); anything else is the caller's to rethrow (false).
    /// </summary>
    public static async Task<bool> EndCancelledWaitAsync(PostgresLockStore store, NpgsqlConnection connection, string? notify, Padlock.Stores.LockWait wait)
    {
        await ReturnAsync(connection, store.Logger, notify).ConfigureAwait(false);
        if (store.Closing.IsCancellationRequested) throw new ObjectDisposedException(nameof(PostgresLockStore));
        wait.ThrowIfCallerCancelled();
        return wait.TimedOut;
    }
}
