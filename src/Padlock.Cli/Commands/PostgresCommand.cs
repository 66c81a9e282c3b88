using System.CommandLine;
using Padlock.Cli.Common;
using Padlock.Postgres;
using Padlock.Stores;

namespace Padlock.Cli.Commands;

/// <summary>
/// <c>padlock postgres init --store postgres://... [--print]</c>: creates the postgres:// store's one table (the fencing
/// counters) ahead of time, for databases where the application's user may not create tables (<c>createschema=false</c>);
/// <c>--print</c> prints the SQL for a DBA instead of running it.
/// </summary>
internal static class PostgresCommand
{
    public static Command Create(CliContext context)
    {
        var store = new Option<string>("--store", "-s") { Description = "The postgres:// store URI (its table option names the table).", Required = true };
        var print = new Option<bool>("--print") { Description = "Print the SQL instead of running it." };
        var init = new Command("init", "Create the postgres:// store's fencing table (CREATE TABLE IF NOT EXISTS), for stores run with createschema=false.")
        {
            store, print,
        };
        init.SetAction(async (p, _) =>
        {
            var uri = p.GetValue(store)!;
            StoreOpener.Validate(uri);
            var parsed = StoreUri.Parse(uri);
            if (parsed.Scheme is not ("postgres" or "postgresql"))
                throw new UsageException($"'{StoreOpener.Shown(uri)}' is not a postgres:// store; 'padlock postgres init' creates that store's table");
            var sql = PostgresLockStore.SchemaSql(parsed.GetString("table") ?? "padlock_fencing");
            if (p.GetValue(print))
            {
                Console.WriteLine(sql + ";");
                return ExitCodes.Ok;
            }
            await using var provider = StoreOpener.Open(uri);
            var db = ((PostgresLockStore)provider.Store).DataSource;
            try
            {
                await using var command = db.CreateCommand(sql);
                await command.ExecuteNonQueryAsync(context.Interrupted);
            }
            catch (Npgsql.NpgsqlException ex) when (ex is not Npgsql.PostgresException)
            {
                // Could not reach the server (as opposed to the server refusing the statement).
                var endpoints = parsed.EndpointsOrDefault("127.0.0.1", 5432).Select(e => $"{e.Host}:{e.Port}").ToArray();
                throw new StoreUnreachableException(uri, new LockStoreUnavailableException("postgres", endpoints, ex.Message, ex));
            }
            context.Terminal.Text($"created (or found) the fencing table on {StoreOpener.Shown(uri)}: {sql}");
            return ExitCodes.Ok;
        });
        return new Command("postgres", "PostgreSQL store tools.") { init };
    }
}
