using Npgsql;
using Padlock.Stores;

namespace Padlock.Postgres;

/// <summary>
/// Builds <see cref="PostgresLockStore"/> from <c>postgres://host[:5432][,host:port...]/database[?user=U&amp;password=P&amp;lease=30s&amp;table=padlock_fencing&amp;createschema=true&amp;slice=2ms&amp;batch=64&amp;NPGSQL-KEY=VALUE...]</c>
/// (also <c>postgresql://</c>). Query keys that are not Padlock's are Npgsql connection-string keywords, passed
/// through (<c>sslmode</c>, <c>Maximum Pool Size</c>, <c>Timeout</c>, ...). Found by
/// <see cref="LockProvider.Create(string, Microsoft.Extensions.Logging.ILoggerFactory?)"/> when this package is referenced.
/// </summary>
/// <remarks>
/// The user and password go before the hosts (<c>postgres://user:password@host/db</c>, percent-encoded) or in the
/// <c>user</c> and <c>password</c> options, not both; messages show the password as <c>***</c>.
/// </remarks>
public sealed class PostgresLockStoreFactory : ILockStoreFactory
{
    private static readonly string[] Own = ["lease", "table", "createschema", "user", "password", "slice", "batch"];
    private static readonly string[] InUri = ["host", "server", "port", "database", "db"];

    /// <inheritdoc/>
    public IReadOnlyList<string> Schemes => ["postgres", "postgresql"];

    /// <inheritdoc/>
    /// <remarks>
    /// The servers (port 5432 when omitted), the database (advisory locks are per database) and the fencing table; the
    /// user, lease and Npgsql settings do not change which locks exclude each other.
    /// </remarks>
    public string GetIdentity(StoreUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return StoreIdentity.Canonical("postgres", uri.EndpointsOrDefault("127.0.0.1", 5432), 5432, DatabaseOf(uri),
            ("table", (uri.GetString("table") ?? "padlock_fencing").ToLowerInvariant()));
    }

    /// <inheritdoc/>
    public ILockStore Create(StoreUri uri, StoreContext context)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(context);
        if (uri.Scheme is not ("postgres" or "postgresql"))
            throw new ArgumentException($"'{uri.Display}' is not a postgres:// URI.", nameof(uri));
        var builder = new NpgsqlConnectionStringBuilder();
        foreach (var key in uri.Keys.Where(k => !Own.Contains(k)))
        {
            if (InUri.Contains(key))
                throw new ArgumentException($"Option '{key}' in '{uri.Display}' is given by the URI itself: postgres://host:port/database.", nameof(uri));
            try
            {
                builder[key] = uri.GetString(key);
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
            {
                throw new ArgumentException($"Option '{key}={uri.GetString(key)}' in '{uri.Display}' is neither a postgres:// option ({string.Join(", ", Own)}) nor a valid Npgsql connection-string setting: {ex.Message}", nameof(uri), ex);
            }
        }
        builder.Host = string.Join(',', uri.EndpointsOrDefault("127.0.0.1", 5432).Select(e => $"{e.Host}:{e.Port}"));
        builder.Database = DatabaseOf(uri);
        if ((uri.UserName is not null || uri.Password is not null) && (uri.GetString("user") is not null || uri.GetString("password") is not null))
            throw new ArgumentException($"'{uri.Display}' gives the user or password twice: use either user:password@host or ?user=&password=.", nameof(uri));
        if ((uri.UserName ?? uri.GetString("user")) is { } user) builder.Username = user;
        if ((uri.Password ?? uri.GetString("password")) is { } password) builder.Password = password;
        var options = new PostgresLockOptions
        {
            ConnectionString = builder.ConnectionString,
            Table = uri.GetString("table") ?? "padlock_fencing",
            CreateSchema = uri.GetBool("createschema", true),
            Lease = uri.GetDuration("lease", TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(6), TimeSpan.FromHours(1)),
            HandOffSlice = PostgresLockOptions.HandOffSliceSetting.Read(uri),
            HandOffBatch = uri.GetInt(PostgresLockOptions.HandOffBatchSetting.UriKey, (int)PostgresLockOptions.HandOffBatchSetting.Default,
                (int)PostgresLockOptions.HandOffBatchSetting.Min, (int)PostgresLockOptions.HandOffBatchSetting.Max),
        };
        if (options.Lease.Ticks % TimeSpan.TicksPerSecond != 0)
            throw new ArgumentException($"Option 'lease' in '{uri.Display}' must be whole seconds (TCP keep-alive settings count in seconds).", nameof(uri));
        return new PostgresLockStore(options, context);
    }

    // The path names the database; without one, the user's name (as libpq and Npgsql default), else "postgres".
    private static string DatabaseOf(StoreUri uri)
        => uri.Path.Trim('/') is { Length: > 0 } path ? path : uri.UserName ?? uri.GetString("user") ?? "postgres";
}
