using System.Globalization;
using Padlock.Testing.Contract;
using Xunit;

namespace Padlock.Postgres.Tests;

[Collection("postgres")]
public sealed class PostgresContractTests(PostgresFixture fixture) : LockContractTests
{
    private readonly PostgresAdapter _adapter = new(fixture);

    protected override LockStoreAdapter Adapter => _adapter;

    internal sealed class PostgresAdapter(PostgresFixture fixture) : LockStoreAdapter
    {
        private readonly string _uri = fixture.Uri();

        public override string? CrossProcessUri => _uri;

        public override ILockProvider CreateProvider() => LockProvider.Create(_uri);

        // An operator ends the holder's session: pg_terminate_backend of the backend pg_locks shows holding the key.
        public override async Task MakeLostAsync(ILockProvider provider, ILockHandle handle)
        {
            var store = (PostgresLockStore)((LockProvider)provider).Store;
            var hold = store.Holds.Single(h => h.FencingToken == handle.FencingToken);
            await PgLocks.TerminateHolderAsync(fixture.Server, hold.Name);
        }

        public override TimeSpan LossDetectionLimit => TimeSpan.FromSeconds(10);

        public override bool CanInspect => true;

        // The server's lock queue is first come, first served, and pg_locks shows who waits in it.
        public override bool IsFifo => true;

        public override async Task<int?> QueuedAsync(string name) => await PgLocks.WaitingAsync(fixture.Server, name);
    }
}

/// <summary>What the server's own views say about a lock's advisory key.</summary>
internal static class PgLocks
{
    public static string KeyFilter(string name)
    {
        var (classId, objId) = AdvisoryKey.InPgLocks(AdvisoryKey.Of(name));
        return string.Create(CultureInfo.InvariantCulture, $"locktype = 'advisory' AND objsubid = 1 AND classid = {classId} AND objid = {objId}");
    }

    /// <summary>The pid of the backend holding the lock (from pg_locks), or null.</summary>
    public static async Task<int?> HolderPidAsync(LocalServers.PostgresServer server, string name)
    {
        var text = (await server.PsqlAsync($"SELECT pid FROM pg_locks WHERE granted AND {KeyFilter(name)}")).Trim();
        return text.Length == 0 ? null : int.Parse(text, CultureInfo.InvariantCulture);
    }

    public static async Task<int> WaitingAsync(LocalServers.PostgresServer server, string name)
        => int.Parse((await server.PsqlAsync($"SELECT count(*) FROM pg_locks WHERE NOT granted AND {KeyFilter(name)}")).Trim(), CultureInfo.InvariantCulture);

    public static async Task TerminateHolderAsync(LocalServers.PostgresServer server, string name)
    {
        var pid = await HolderPidAsync(server, name) ?? throw new InvalidOperationException($"pg_locks shows no holder of '{name}'.");
        var done = (await server.PsqlAsync($"SELECT pg_terminate_backend({pid})")).Trim();
        if (done != "t") throw new InvalidOperationException($"pg_terminate_backend({pid}) returned '{done}'.");
    }
}
