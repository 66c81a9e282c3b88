using Etcdserverpb;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Padlock.Etcd.Connection;
using Padlock.Stores;

namespace Padlock.Etcd.Session;

/// <summary>
/// A lease kept alive on a cadence, shared by every lock key one provider creates: etcd deletes those keys when the
/// lease ends, so a process that dies or is cut off frees its locks after the TTL. <see cref="Lost"/> fires when the
/// lease may have ended (renewals failing up to a margin before the TTL, or etcd answering that it is gone).
/// </summary>
internal sealed class EtcdSession : IAsyncDisposable
{
    private readonly EtcdConnection _connection;
    private readonly LeaseRenewal _renewal;

    private EtcdSession(EtcdConnection connection, long leaseId, TimeSpan ttl, LeaseRenewal renewal)
    {
        _connection = connection;
        LeaseId = leaseId;
        Ttl = ttl;
        _renewal = renewal;
    }

    public long LeaseId { get; }

    /// <summary>The TTL etcd granted (it may raise a short one to its minimum): how long the lease outlives its last renewal.</summary>
    public TimeSpan Ttl { get; }

    /// <summary>Fires when the lease may be gone; every lock under it is then lost.</summary>
    public CancellationToken Lost => _renewal.LostToken;

    public bool IsLost => Lost.IsCancellationRequested;

    /// <summary>The key numbers in use, so two handles of one provider on one name have distinct keys.</summary>
    public KeySlots Slots { get; } = new();

    /// <summary>Grants a lease and starts renewing it every third of <paramref name="ttl"/>.</summary>
    public static async Task<EtcdSession> StartAsync(EtcdConnection connection, TimeSpan ttl, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        var sent = time.GetTimestamp();
        var granted = await connection.CallAsync(
            (invoker, options) => new Lease.LeaseClient(invoker).LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)ttl.TotalSeconds }, options).ResponseAsync,
            cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(granted.Error)) throw new InvalidOperationException($"etcd refused a lease: {granted.Error}");
        var id = granted.ID;
        // The margin covers a renewal in flight and clock rate differences: the loss is reported before etcd can expire the lease.
        var margin = TimeSpan.FromTicks(Math.Min(ttl.Ticks / 10, TimeSpan.FromSeconds(3).Ticks));
        var grantedTtl = TimeSpan.FromSeconds(granted.TTL);
        var renewal = new LeaseRenewal(grantedTtl, ttl / 3, margin, sent,
            ct => KeepAliveOnceAsync(connection, id, ct), time, logger);
        return new EtcdSession(connection, id, grantedTtl, renewal);
    }

    // A keep-alive stream per renewal: renewals are seconds apart, and a fresh stream always goes to the member
    // requests use now, so a renewal never waits on a dead member's stream.
    private static async ValueTask<bool> KeepAliveOnceAsync(EtcdConnection connection, long id, CancellationToken ct)
    {
        var response = await connection.CallAsync(async (invoker, options) =>
        {
            using var call = new Lease.LeaseClient(invoker).LeaseKeepAlive(options);
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id }, ct).ConfigureAwait(false);
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(ct).ConfigureAwait(false))
                throw new RpcException(new Status(StatusCode.Unavailable, "The keep-alive stream closed without an answer."));
            return call.ResponseStream.Current;
        }, ct).ConfigureAwait(false);
        // TTL 0: etcd no longer knows the lease (expired or revoked), so its keys are gone.
        return response.TTL > 0;
    }

    /// <summary>Marks the session lost now (its lease was found gone another way).</summary>
    public void MarkLost() => _renewal.MarkLost();

    /// <summary>Stops renewing and revokes the lease, which deletes every key still held under it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _renewal.DisposeAsync().ConfigureAwait(false);
        try
        {
            using var cts = new CancellationTokenSource(_connection.RequestTimeout);
            await _connection.CallAsync(
                (invoker, options) => new Lease.LeaseClient(invoker).LeaseRevokeAsync(new LeaseRevokeRequest { ID = LeaseId }, options).ResponseAsync,
                cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or EtcdUnavailableException or OperationCanceledException)
        {
            // Unreachable or already gone: the lease then ends by itself after its TTL.
        }
    }
}
