using Microsoft.Extensions.Logging;

namespace Padlock.Postgres;

/// <summary>
/// The lock connections a store keeps open between holds, so the next grant skips the pool's rent and reset (Npgsql
/// runs <c>DISCARD ALL</c> on a connection's next use after it went back to the pool), the session settings and the
/// planning of its statements. Only connections released cleanly come here (unlocked, no cancelled query, not lost):
/// at most <paramref name="maxIdle"/>, each for at most <see cref="IdleLifetime"/>, after which it goes back to the pool.
/// Last in, first out, so under a steady load the same few are reused and the rest age out.
/// </summary>
internal sealed class IdleSessions(PostgresLockStore store, int maxIdle)
{
    /// <summary>At most this many connections are kept idle, whatever the pool (they count as in use in the data source's pool).</summary>
    public const int MaxIdle = 16;

    /// <summary>
    /// How many a store keeps for a data source with <paramref name="connectionString"/>: a quarter of its pool's
    /// maximum, at most <see cref="MaxIdle"/>. Idle kept connections are taken from the pool the application may share
    /// (a data source it brought): with a small pool, keeping 16 for 10 s could starve its own queries.
    /// </summary>
    public static int BoundFor(string connectionString)
    {
        var max = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize;
        return Math.Clamp(max / 4, 0, MaxIdle);
    }

    /// <summary>A connection idle this long goes back to the pool.</summary>
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromSeconds(10);

    private readonly List<LockSession> _idle = []; // oldest first
    private ITimer? _pruner;
    private bool _closed;

    /// <summary>How many connections are kept idle now.</summary>
    public int Count
    {
        get
        {
            lock (_idle) return _idle.Count;
        }
    }

    /// <summary>The most recently given-back idle session, or null.</summary>
    public LockSession? TryTake()
    {
        lock (_idle)
        {
            if (_idle.Count == 0) return null;
            var session = _idle[^1];
            _idle.RemoveAt(_idle.Count - 1);
            return session;
        }
    }

    /// <summary>Unlocks the session; keeps it idle when that worked and there is room, else gives it back to the pool.</summary>
    public async Task GiveBackAsync(LockSession session)
    {
        if (!await session.TryUnlockAsync().ConfigureAwait(false))
        {
            await Connections.ReturnAsync(session.Connection, store.Logger).ConfigureAwait(false);
            return;
        }
        if (session.Connection.State == System.Data.ConnectionState.Open && TryKeep(session)) return;
        await session.Connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Gives every idle session back to the pool (one was found broken: the others likely are; or the store closes).</summary>
    public void Drain()
    {
        LockSession[] all;
        lock (_idle)
        {
            all = [.. _idle];
            _idle.Clear();
        }
        foreach (var session in all) session.Connection.Dispose();
    }

    /// <summary>Keeps nothing from now on and gives the idle sessions back.</summary>
    public void Close()
    {
        lock (_idle)
        {
            _closed = true;
            _pruner?.Dispose();
        }
        Drain();
    }

    private bool TryKeep(LockSession session)
    {
        lock (_idle)
        {
            if (_closed || _idle.Count >= maxIdle) return false;
            session.Warm = true;
            session.IdleSince = store.Time.GetTimestamp();
            _idle.Add(session);
            _pruner ??= store.Time.CreateTimer(_ => Prune(), null, IdleLifetime / 2, IdleLifetime / 2);
            return true;
        }
    }

    private void Prune()
    {
        List<LockSession>? old = null;
        lock (_idle)
        {
            while (_idle.Count > 0 && store.Time.GetElapsedTime(_idle[0].IdleSince) >= IdleLifetime)
            {
                (old ??= []).Add(_idle[0]);
                _idle.RemoveAt(0);
            }
        }
        if (old is null) return;
        foreach (var session in old) session.Connection.Dispose();
        store.Logger.LogTrace("Gave {Count} idle lock connections back to the pool", old.Count);
    }
}
