using Padlock.ZooKeeper.Client.Jute;
using Padlock.ZooKeeper.Client.Protocol;
using Padlock.ZooKeeper.Client.Watches;

namespace Padlock.ZooKeeper.Client.Session;

/// <summary>
/// One request on its way: how to write its body, how to read its reply, and the watch to arm when the reply says so.
/// It is completed by the receive loop (or failed when the connection goes), never both.
/// </summary>
internal abstract class PendingRequest(OpCode op, string? path, WatchRegistration? watch)
{
    public OpCode Op { get; } = op;

    /// <summary>The client-side path, for error messages.</summary>
    public string? Path { get; } = path;

    public WatchRegistration? Watch { get; } = watch;

    /// <summary>Assigned by the writer when the request is put on the wire.</summary>
    public int Xid { get; set; }

    public abstract void WriteBody(JuteWriter writer);

    /// <summary>Reads the reply body (when the header has no error) and completes the request.</summary>
    public abstract void Complete(ReplyHeader header, JuteReader body);

    public abstract void Fail(Exception error);
}

/// <summary>A request whose reply is a <typeparamref name="T"/>.</summary>
internal sealed class PendingRequest<T>(
    OpCode op, string? path, Action<JuteWriter> write, Func<JuteReader, T> read,
    WatchRegistration? watch = null, bool noNodeIsDefault = false) : PendingRequest(op, path, watch)
{
    private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => _result.Task;

    public override void WriteBody(JuteWriter writer) => write(writer);

    public override void Complete(ReplyHeader header, JuteReader body)
    {
        if (header.Err == 0)
        {
            var value = read(body);
            _result.TrySetResult(value);
        }
        else if (noNodeIsDefault && header.Err == (int)ZooKeeperErrorCode.NoNode)
        {
            _result.TrySetResult(default!);
        }
        else
        {
            _result.TrySetException(new ZooKeeperException((ZooKeeperErrorCode)header.Err, Path is null ? Op.ToString() : $"{Op} {Path}"));
        }
    }

    public override void Fail(Exception error) => _result.TrySetException(error);
}
