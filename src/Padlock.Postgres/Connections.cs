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
    public static async Task ReturnAsync(NpgsqlConnection connection, ILogger logger)
    {
        for (var attempt = 0; attempt < 2 && connection.State == System.Data.ConnectionState.Open; attempt++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(UnlockTimeout);
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
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
}
