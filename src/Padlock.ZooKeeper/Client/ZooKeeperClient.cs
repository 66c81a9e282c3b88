using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Padlock.ZooKeeper.Client.Jute;
using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Client.Session;
using Padlock.ZooKeeper.Client.Watches;

namespace Padlock.ZooKeeper.Client;

/// <summary>
/// Padlock's asynchronous ZooKeeper client: the operations the recipes need, over one session (<see cref="ZkSession"/>).
/// Paths are checked before anything is sent. Watches are one-shot callbacks run in order on the event task.
/// Failures are <see cref="ZooKeeperException"/>s carrying the server's (or the client's) error code.
/// </summary>
internal sealed class ZooKeeperClient : IAsyncDisposable
{
    private readonly ZkSession _session;

    private ZooKeeperClient(ZkSession session) => _session = session;

    public static async Task<ZooKeeperClient> ConnectAsync(ZooKeeperClientOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
        => new(await ZkSession.ConnectAsync(options, logger ?? NullLogger.Instance, cancellationToken).ConfigureAwait(false));

    public long SessionId => _session.SessionId;

    public byte[] SessionPassword => _session.Password;

    public TimeSpan NegotiatedTimeout => _session.NegotiatedTimeout;

    public ConnectionState State => _session.State;

    public System.Net.DnsEndPoint? ConnectedServer => _session.ConnectedServer;

    public long NotificationsReceived => _session.NotificationsReceived;

    public TimeSpan DisconnectedFor => _session.DisconnectedFor;

    /// <summary>Time since the last message from any server (see <see cref="ZkSession.SinceLastContact"/>).</summary>
    public TimeSpan SinceLastContact => _session.SinceLastContact;

    internal WatchManager Watches => _session.Watches;

    /// <summary>Raised in order with watch events on every connection state change.</summary>
    public event Action<ConnectionState>? StateChanged
    {
        add => _session.StateChanged += value;
        remove => _session.StateChanged -= value;
    }

    /// <summary>Waits for a connection: true when connected, false on timeout; throws once the session is expired or closed.</summary>
    public Task<bool> WaitConnectedAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        => _session.WaitConnectedAsync(timeout, cancellationToken);

    /// <summary>Creates a node and returns its actual path (with the sequence suffix for sequential modes).</summary>
    public async Task<string> CreateAsync(string path, byte[]? data, CreateMode mode, IReadOnlyList<Acl>? acl = null, CancellationToken cancellationToken = default)
        => (await Create2Async(path, data, mode, acl, cancellationToken).ConfigureAwait(false)).Path;

    /// <summary>Creates a node (create2, or createContainer for <see cref="CreateMode.Container"/>) and returns its path and Stat.</summary>
    public Task<(string Path, Stat Stat)> Create2Async(string path, byte[]? data, CreateMode mode, IReadOnlyList<Acl>? acl = null, CancellationToken cancellationToken = default)
    {
        ZkPaths.Validate(path, mode.IsSequential());
        var server = _session.ToServerPath(path);
        var op = mode == CreateMode.Container ? OpCode.CreateContainer : OpCode.Create2;
        acl ??= Acl.Open;
        if (acl.Count == 0) throw new ArgumentException("An ACL needs at least one entry.", nameof(acl));
        data ??= [];
        return Send(op, path, w => Requests.Create(w, server, data, acl, mode), r => (_session.ToClientPath(r.ReadRequiredString()), Stat.Read(r)), cancellationToken: cancellationToken);
    }

    /// <summary>Creates a node with the plain create request (op 1), which answers with the path only.</summary>
    public Task<string> CreatePlainAsync(string path, byte[]? data, CreateMode mode, CancellationToken cancellationToken = default)
    {
        ZkPaths.Validate(path, mode.IsSequential());
        if (mode == CreateMode.Container) throw new ArgumentException("Container nodes are created with Create2Async.", nameof(mode));
        var server = _session.ToServerPath(path);
        data ??= [];
        return Send(OpCode.Create, path, w => Requests.Create(w, server, data, Acl.Open, mode), r => _session.ToClientPath(r.ReadRequiredString()), cancellationToken: cancellationToken);
    }

    /// <summary>Deletes a node; <paramref name="version"/> -1 means any version.</summary>
    public Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default)
    {
        ZkPaths.Validate(path);
        var server = _session.ToServerPath(path);
        return Send(OpCode.Delete, path, w => Requests.PathVersion(w, server, version), static _ => true, cancellationToken: cancellationToken);
    }

    /// <summary>The node's Stat, or null when it does not exist. A watcher is armed either way (NodeCreated fires for a missing node).</summary>
    public Task<Stat?> ExistsAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZkPaths.Validate(path);
        var server = _session.ToServerPath(path);
        return Send<Stat?>(OpCode.Exists, path, w => Requests.PathWatch(w, server, watcher is not null), Stat.Read, Watch(WatchKind.Exists, path, watcher), noNodeIsDefault: true, cancellationToken);
    }

    /// <summary>The node's data and Stat; the watcher is armed only when the node exists.</summary>
    public Task<(byte[] Data, Stat Stat)> GetDataAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZkPaths.Validate(path);
        var server = _session.ToServerPath(path);
        return Send(OpCode.GetData, path, w => Requests.PathWatch(w, server, watcher is not null), r => (r.ReadBuffer() ?? [], Stat.Read(r)), Watch(WatchKind.Data, path, watcher), cancellationToken: cancellationToken);
    }

    /// <summary>Replaces the node's data when its version matches (-1: any) and returns the new Stat.</summary>
    public Task<Stat> SetDataAsync(string path, byte[] data, int version = -1, CancellationToken cancellationToken = default)
    {
        ZkPaths.Validate(path);
        ArgumentNullException.ThrowIfNull(data);
        var server = _session.ToServerPath(path);
        return Send(OpCode.SetData, path, w => Requests.SetData(w, server, data, version), Stat.Read, cancellationToken: cancellationToken);
    }

    /// <summary>The names of the node's children, unordered.</summary>
    public Task<List<string>> GetChildrenAsync(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZkPaths.Validate(path);
        var server = _session.ToServerPath(path);
        return Send(OpCode.GetChildren, path, w => Requests.PathWatch(w, server, watcher is not null), static r => r.ReadStrings(), Watch(WatchKind.Child, path, watcher), cancellationToken: cancellationToken);
    }

    /// <summary>The names of the node's children and its Stat (getChildren2).</summary>
    public Task<(List<string> Children, Stat Stat)> GetChildren2Async(string path, Action<WatchedEvent>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZkPaths.Validate(path);
        var server = _session.ToServerPath(path);
        return Send(OpCode.GetChildren2, path, w => Requests.PathWatch(w, server, watcher is not null), static r => (r.ReadStrings(), Stat.Read(r)), Watch(WatchKind.Child, path, watcher), cancellationToken: cancellationToken);
    }

    /// <summary>Applies all the operations atomically, or none; returns each one's result (see <see cref="MultiResult"/>).</summary>
    public Task<List<MultiResult>> MultiAsync(IReadOnlyList<MultiOp> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        foreach (var op in ops) ZkPaths.Validate(op.Path, op is MultiOp.CreateOp c && c.Mode.IsSequential(), nameof(ops));
        return Send(OpCode.Multi, null, w =>
        {
            foreach (var op in ops)
            {
                w.WriteInt((int)op.Type);
                w.WriteBool(false);
                w.WriteInt(-1);
                op.WriteBody(w, _session.ToServerPath(op.Path));
            }
            w.WriteInt(-1);
            w.WriteBool(true);
            w.WriteInt(-1);
        }, r => MultiResult.ReadAll(r, _session.ToClientPath), cancellationToken: cancellationToken);
    }

    /// <summary>Waits until the server this client talks to has caught up with the leader for <paramref name="path"/>.</summary>
    public Task SyncAsync(string path, CancellationToken cancellationToken = default)
    {
        ZkPaths.Validate(path);
        var server = _session.ToServerPath(path);
        return Send(OpCode.Sync, path, w => w.WriteString(server), static r => r.ReadString(), cancellationToken: cancellationToken);
    }

    /// <summary>Closes the session on the server: its ephemeral nodes go at once. Later requests fail.</summary>
    public ValueTask DisposeAsync() => _session.DisposeAsync();

    private static WatchRegistration? Watch(WatchKind kind, string path, Action<WatchedEvent>? watcher)
        => watcher is null ? null : new WatchRegistration(kind, path, watcher);

    private Task<T> Send<T>(OpCode op, string? path, Action<JuteWriter> write, Func<JuteReader, T> read,
        WatchRegistration? watch = null, bool noNodeIsDefault = false, CancellationToken cancellationToken = default)
        => _session.SendAsync(new PendingRequest<T>(op, path, write, read, watch, noNodeIsDefault), cancellationToken);
}
