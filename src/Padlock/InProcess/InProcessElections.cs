using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Padlock.Stores;

namespace Padlock.InProcess;

/// <summary>
/// The leader elections of one <see cref="InProcessLockStore"/>: per name, the exclusive lock's FIFO line
/// (<see cref="InProcessLines{TLine}"/>: a resignation hands leadership straight to the next campaigner) with the
/// leader's value, and the observers, each fed every change in order through its own channel. Terms come from the
/// store's token counter.
/// </summary>
internal sealed class InProcessElections(Func<long> nextToken) : InProcessLines<InProcessElections.Line>(nextToken)
{
    internal ValueTask<StoreLease?> CampaignAsync(string name, string value, LockWait wait)
        => AcquireAsync(name, LockMode.Write, value, 0, wait);

    internal ValueTask ProclaimAsync(StoreLease leadership, string value)
    {
        var lease = (InProcessHold)leadership;
        lock (Lines)
        {
            if (!lease.Line.Holders.Contains(lease)) throw new InvalidOperationException($"The leadership of election '{lease.Line.Name}' is no longer held.");
            lease.Value = value;
            Changed((Line)lease.Line);
        }
        return ValueTask.CompletedTask;
    }

    internal LeaderInfo? GetLeader(string name)
    {
        lock (Lines) return Lines.TryGetValue(name, out var line) ? InfoOf(line) : null;
    }

    internal async IAsyncEnumerable<LeaderInfo?> ObserveAsync(string name, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<LeaderInfo?>(new UnboundedChannelOptions { SingleReader = true });
        Line line;
        lock (Lines)
        {
            line = LineOf(name);
            line.Observers.Add(channel.Writer);
            channel.Writer.TryWrite(InfoOf(line));
        }
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var info)) yield return info;
            }
        }
        finally
        {
            lock (Lines)
            {
                line.Observers.Remove(channel.Writer);
                RemoveIfIdle(name);
            }
        }
    }

    protected override Line Create(string name, int maxCount) => new(name);

    // The exclusive line: the campaigner leads when nobody does.
    protected override bool Admits(Line line, LockMode mode) => line.Holders.Count == 0;

    // Every observer gets the change, in order.
    protected override void Changed(Line line)
    {
        var info = InfoOf(line);
        foreach (var o in line.Observers) o.TryWrite(info);
    }

    protected override bool IsIdle(Line line) => base.IsIdle(line) && line.Observers.Count == 0;

    protected override void Closed(Line line)
    {
        foreach (var o in line.Observers) o.TryComplete();
    }

    private static LeaderInfo? InfoOf(Line line)
    {
        foreach (var leader in line.Holders) return new LeaderInfo(leader.Value!, leader.FencingToken);
        return null;
    }

    internal sealed class Line(string name) : InProcessLine(name)
    {
        public readonly List<ChannelWriter<LeaderInfo?>> Observers = [];
    }
}
