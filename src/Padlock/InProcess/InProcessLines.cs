using Padlock.Stores;

namespace Padlock.InProcess;

/// <summary>One name's line in an in-process store: who holds, and who waits, first come first served.</summary>
internal class InProcessLine(string name)
{
    public readonly string Name = name;
    public readonly HashSet<InProcessHold> Holders = [];
    public readonly LinkedList<InProcessWaiter> Queue = new();

    /// <summary>How many of <see cref="Holders"/> hold in <see cref="LockMode.Write"/> (a reader-writer line's writer).</summary>
    public int Writers;
}

/// <summary>A hold on an in-process line; its release goes back to the lines that granted it.</summary>
internal sealed class InProcessHold(IInProcessReleaser owner, InProcessLine line, LockMode mode, string? value, long token) : StoreLease
{
    public InProcessLine Line => line;
    public LockMode Mode => mode;

    /// <summary>An election's value (a proclaim changes it); null on the other lines.</summary>
    public string? Value = value;

    public override long FencingToken => token;

    protected override ValueTask ReleaseCoreAsync()
    {
        owner.Release(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>What a hold calls when released.</summary>
internal interface IInProcessReleaser
{
    void Release(InProcessHold hold);
}

/// <summary>
/// The bookkeeping every in-process line shares (semaphores, reader-writer locks, elections): one line per name, a
/// request granted at once only when nobody waits and the policy (<see cref="Admits"/>) allows it, a release (or a waiter
/// leaving) granting from the head of the line while the policy allows, lines removed once idle, and on dispose every
/// hold marked lost and every waiter failed. Tokens come from the store's counter. A primitive is the policy on top.
/// </summary>
internal abstract class InProcessLines<TLine>(Func<long> nextToken) : IInProcessReleaser where TLine : InProcessLine
{
    /// <summary>The lines by name; also the gate every change is made under.</summary>
    protected readonly Dictionary<string, TLine> Lines = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>A new, empty line for <paramref name="name"/>.</summary>
    protected abstract TLine Create(string name, int maxCount);

    /// <summary>Under the gate: may a request of <paramref name="mode"/> hold now, given the line's holders.</summary>
    protected abstract bool Admits(TLine line, LockMode mode);

    /// <summary>Under the gate, before anything: throws to refuse the request (a semaphore's other maxCount).</summary>
    protected virtual void Check(TLine line, int maxCount)
    {
    }

    /// <summary>Under the gate, after the holders changed by a grant or a release (an election publishes its leader).</summary>
    protected virtual void Changed(TLine line)
    {
    }

    /// <summary>Under the gate: true when the line keeps nothing and may go.</summary>
    protected virtual bool IsIdle(TLine line) => line.Holders.Count == 0 && line.Queue.Count == 0;

    /// <summary>Under the gate, on dispose, after the holds were marked lost and the waiters failed.</summary>
    protected virtual void Closed(TLine line)
    {
    }

    /// <summary>Under the gate: the line of <paramref name="name"/>, created when missing; throws once disposed.</summary>
    protected TLine LineOf(string name, int maxCount = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, typeof(InProcessLockStore));
        if (!Lines.TryGetValue(name, out var line)) Lines[name] = line = Create(name, maxCount);
        return line;
    }

    /// <summary>
    /// One acquire: granted at once when nobody waits and the policy allows it; otherwise null for a single attempt, or
    /// a place at the back of the line until granted (or the wait ends, and the waiter leaves).
    /// </summary>
    protected async ValueTask<StoreLease?> AcquireAsync(string name, LockMode mode, string? value, int maxCount, LockWait wait)
    {
        ArgumentNullException.ThrowIfNull(wait);
        InProcessWaiter waiter;
        lock (Lines)
        {
            var line = LineOf(name, maxCount);
            Check(line, maxCount);
            if (line.Queue.Count == 0 && Admits(line, mode))
            {
                var hold = Grant(line, mode, value);
                Changed(line);
                return hold;
            }
            if (wait.IsSingleAttempt)
            {
                RemoveIfIdle(name);
                return null;
            }
            waiter = new InProcessWaiter { Mode = mode, Value = value };
            waiter.Node = line.Queue.AddLast(waiter);
        }
        // A waiter that leaves may have been the writer holding readers back: the line is served again as it goes.
        return await waiter.WaitAsync(wait, Lines, ServeAndTidy, name).ConfigureAwait(false);
    }

    /// <summary>
    /// The holders of <paramref name="name"/> (in grant order: by token) and its waiters (first first), read under the
    /// gate without changing anything. Waiters of a live waiter that already timed out may still show for an instant.
    /// </summary>
    internal PrimitiveStatus Inspect(string name, bool withMode, bool withValue)
    {
        lock (Lines)
        {
            if (!Lines.TryGetValue(name, out var line)) return new PrimitiveStatus(name, [], []);
            var holders = line.Holders.OrderBy(h => h.FencingToken)
                .Select(h => new PrimitiveEntry(null, h.FencingToken, Mode: withMode ? h.Mode : null, Value: withValue ? h.Value : null)).ToList();
            var waiters = line.Queue.Where(w => !w.Result.Task.IsCompleted)
                .Select(w => new PrimitiveEntry(null, Mode: withMode ? w.Mode : null, Value: withValue ? w.Value : null)).ToList();
            return new PrimitiveStatus(name, holders, waiters);
        }
    }

    // Under the gate.
    private InProcessHold Grant(InProcessLine line, LockMode mode, string? value)
    {
        var hold = new InProcessHold(this, line, mode, value, nextToken());
        Add(line, hold);
        return hold;
    }

    private static void Add(InProcessLine line, InProcessHold hold)
    {
        line.Holders.Add(hold);
        if (hold.Mode == LockMode.Write) line.Writers++;
    }

    void IInProcessReleaser.Release(InProcessHold hold)
    {
        lock (Lines)
        {
            if (!hold.Line.Holders.Remove(hold)) return; // the store was disposed: nothing to hand on
            if (hold.Mode == LockMode.Write) hold.Line.Writers--;
            var line = (TLine)hold.Line;
            Serve(line);
            Changed(line);
            RemoveIfIdle(line.Name);
        }
    }

    // Under the gate: after a waiter left.
    private void ServeAndTidy(string name)
    {
        if (!Lines.TryGetValue(name, out var line)) return;
        if (Serve(line)) Changed(line);
        RemoveIfIdle(name);
    }

    // Under the gate: grants from the head of the line while the policy allows it; true when anyone was granted.
    private bool Serve(TLine line)
    {
        var granted = false;
        while (line.Queue.First is { } node && Admits(line, node.Value.Mode))
        {
            line.Queue.RemoveFirst();
            var next = new InProcessHold(this, line, node.Value.Mode, node.Value.Value, nextToken());
            // That waiter had already timed out or been cancelled; its token number is simply skipped.
            if (!node.Value.Result.TrySetResult(next)) continue;
            Add(line, next);
            granted = true;
        }
        return granted;
    }

    /// <summary>Under the gate: removes the line of <paramref name="name"/> when it keeps nothing.</summary>
    protected void RemoveIfIdle(string name)
    {
        if (Lines.TryGetValue(name, out var line) && IsIdle(line)) Lines.Remove(name);
    }

    /// <summary>Marks every hold lost and fails every waiter.</summary>
    internal void Dispose()
    {
        List<TLine> lines;
        lock (Lines)
        {
            if (_disposed) return;
            _disposed = true;
            lines = [.. Lines.Values];
            Lines.Clear();
        }
        foreach (var line in lines)
        {
            foreach (var h in line.Holders) h.MarkLost();
            foreach (var w in line.Queue) w.Result.TrySetException(new ObjectDisposedException(nameof(InProcessLockStore)));
            Closed(line);
        }
    }
}
