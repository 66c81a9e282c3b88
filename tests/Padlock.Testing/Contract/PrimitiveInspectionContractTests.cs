using Padlock.Stores;
using Xunit;

namespace Padlock.Testing.Contract;

/// <summary>
/// What <see cref="IPrimitiveInspector"/> must tell, run once per store that implements it: the permit holders and
/// waiters of a semaphore, the readers, writer and waiters (with their modes, in line order) of a reader-writer lock,
/// and an election's leader (value, term) and candidates in line. Each provider is a separate client of the store.
/// Stores that cannot tell something (<see cref="KnowsWaiters"/> and the like) say so, and the suite then checks only
/// that they do not make it up.
/// </summary>
public abstract class PrimitiveInspectionContractTests : ContractTestBase
{
    /// <summary>Whether the store lists waiters (false: <see cref="PrimitiveStatus.Waiters"/> is null).</summary>
    protected virtual bool KnowsWaiters => true;

    /// <summary>Whether the store tells each permit holder's (and each reader's) fencing token.</summary>
    protected virtual bool KnowsSharedTokens => true;

    /// <summary>Whether the store tells a waiting candidate's value.</summary>
    protected virtual bool KnowsWaitingValues => true;

    /// <summary>Whether the store records who holds (false: owners are null, as in mem://).</summary>
    protected virtual bool KnowsOwners => true;

    /// <summary>Whether the store has elections (a sharded store has none, and says so).</summary>
    protected virtual bool HasElections => true;

    /// <summary>The inspector of <paramref name="provider"/>'s store.</summary>
    protected virtual IPrimitiveInspector InspectorOf(ILockProvider provider)
        => Assert.IsAssignableFrom<IPrimitiveInspector>(((LockProvider)provider).Store);

    private static string UniqueName(string kind) => $"insp-{kind}-{Guid.NewGuid():N}";

    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Nothing_held_shows_no_holders_and_no_waiters()
    {
        var inspector = InspectorOf(NewProvider());
        var read = new List<PrimitiveStatus>
        {
            await inspector.InspectSemaphoreAsync(UniqueName("sem"), 2),
            await inspector.InspectReaderWriterAsync(UniqueName("rw")),
        };
        if (HasElections) read.Add(await inspector.InspectElectionAsync(UniqueName("el")));
        else await Assert.ThrowsAsync<NotSupportedException>(async () => await inspector.InspectElectionAsync(UniqueName("el")));
        foreach (var s in read)
        {
            Assert.Empty(s.Holders);
            if (KnowsWaiters) Assert.Empty(s.Waiters!);
            else Assert.Null(s.Waiters);
        }
    }

    [Fact]
    public async Task A_semaphore_shows_its_two_permit_holders_with_their_tokens_and_the_waiter()
    {
        var name = UniqueName("sem");
        var inspector = InspectorOf(NewProvider());
        var a = await NewProvider().CreateSemaphore(name, 2).AcquireAsync(Long);
        var b = await NewProvider().CreateSemaphore(name, 2).AcquireAsync(Long);
        using var stop = new CancellationTokenSource();
        var waiter = NewProvider().CreateSemaphore(name, 2).AcquireAsync(Long, stop.Token).AsTask();
        var s = await SettledAsync(() => inspector.InspectSemaphoreAsync(name, 2), 2, 1, "two permit holders and one waiter");
        Assert.Equal(name, s.Name);
        Assert.Equal(2, s.Holders.Count);
        if (KnowsSharedTokens) Assert.Equal(new long?[] { a.FencingToken, b.FencingToken }, s.Holders.Select(h => h.FencingToken).Order());
        if (KnowsOwners) Assert.All(s.Holders, h => Assert.False(string.IsNullOrEmpty(h.Owner)));
        Assert.All(s.Holders, h => Assert.Null(h.Mode));
        if (KnowsWaiters)
        {
            Assert.Single(s.Waiters!);
            if (KnowsOwners) Assert.False(string.IsNullOrEmpty(s.Waiters![0].Owner));
        }
        Assert.False(waiter.IsCompleted);
        // A released permit goes to the waiter, and the inspection follows.
        await a.DisposeAsync();
        var c = await waiter;
        s = await SettledAsync(() => inspector.InspectSemaphoreAsync(name, 2), 2, 0, "the waiter holding the released permit");
        if (KnowsSharedTokens) Assert.Equal(new long?[] { b.FencingToken, c.FencingToken }, s.Holders.Select(h => h.FencingToken).Order());
        await b.DisposeAsync();
        await c.DisposeAsync();
        s = await SettledAsync(() => inspector.InspectSemaphoreAsync(name, 2), 0, 0, "nobody holding once every permit is released");
    }

    [Fact]
    public async Task A_reader_writer_lock_shows_two_readers_holding_then_a_writer_and_a_reader_waiting_in_order()
    {
        var name = UniqueName("rw");
        var inspector = InspectorOf(NewProvider());
        var r1 = await NewProvider().CreateReaderWriterLock(name).AcquireReadAsync(Long);
        var r2 = await NewProvider().CreateReaderWriterLock(name).AcquireReadAsync(Long);
        var writer = NewProvider().CreateReaderWriterLock(name).AcquireWriteAsync(Long).AsTask();
        var s = await SettledAsync(() => inspector.InspectReaderWriterAsync(name), 2, 1, "two readers holding and a writer waiting");
        // The reader arrives only once the writer is seen in line, so the line order is known.
        var reader = NewProvider().CreateReaderWriterLock(name).AcquireReadAsync(Long).AsTask();
        s = await SettledAsync(() => inspector.InspectReaderWriterAsync(name), 2, 2, "a reader waiting behind the writer");
        Assert.All(s.Holders, h => Assert.Equal(LockMode.Read, h.Mode));
        if (KnowsSharedTokens) Assert.Equal(new long?[] { r1.FencingToken, r2.FencingToken }, s.Holders.Select(h => h.FencingToken).Order());
        if (KnowsOwners) Assert.All(s.Holders, h => Assert.False(string.IsNullOrEmpty(h.Owner)));
        if (KnowsWaiters) Assert.Equal(new LockMode?[] { LockMode.Write, LockMode.Read }, s.Waiters!.Select(w => w.Mode));
        Assert.False(writer.IsCompleted);
        Assert.False(reader.IsCompleted);
        // The readers leave: the writer holds, the late reader still waits behind it.
        await r1.DisposeAsync();
        await r2.DisposeAsync();
        var w = await writer;
        s = await SettledAsync(() => inspector.InspectReaderWriterAsync(name), 1, 1, "the writer holding and the reader waiting");
        Assert.Equal(LockMode.Write, s.Holders[0].Mode);
        Assert.Equal(w.FencingToken, s.Holders[0].FencingToken);
        if (KnowsWaiters) Assert.Equal(LockMode.Read, s.Waiters![0].Mode);
        await w.DisposeAsync();
        await (await reader).DisposeAsync();
    }

    [Fact]
    public async Task An_election_shows_the_leaders_value_and_term_and_the_candidate_in_line()
    {
        if (!HasElections) return;
        var name = UniqueName("el");
        var inspector = InspectorOf(NewProvider());
        var leader = await NewProvider().CreateElection(name).CampaignAsync("first", Long);
        var second = NewProvider().CreateElection(name).CampaignAsync("second", Long).AsTask();
        var s = await SettledAsync(() => inspector.InspectElectionAsync(name), 1, 1, "a leader and a candidate in line");
        var head = Assert.Single(s.Holders);
        Assert.Equal("first", head.Value);
        Assert.Equal(leader.FencingToken, head.FencingToken);
        if (KnowsWaiters && KnowsWaitingValues) Assert.Equal("second", s.Waiters![0].Value);
        Assert.False(second.IsCompleted);
        await leader.ProclaimAsync("first, proclaimed");
        s = await SettledAsync(() => inspector.InspectElectionAsync(name), 1, 1, "the proclaimed value");
        Assert.Equal("first, proclaimed", s.Holders[0].Value);
        await leader.ResignAsync();
        var next = await second;
        s = await Eventually.ValueAsync(() => inspector.InspectElectionAsync(name).AsTask(),
            x => x.Holders.Count == 1 && x.Holders[0].FencingToken == next.FencingToken, "the second candidate leading");
        Assert.Equal("second", s.Holders[0].Value);
        Assert.True(next.FencingToken > leader.FencingToken);
        await next.DisposeAsync();
    }

    // Reads until the inspection shows the holders and (where the store lists them) waiters expected: a waiter joins the
    // line a moment after its call starts, and a hand-off lands a moment after a release.
    private async Task<PrimitiveStatus> SettledAsync(Func<ValueTask<PrimitiveStatus>> read, int holders, int waiters, string what)
        => await Eventually.ValueAsync(() => read().AsTask(),
            s => s.Holders.Count == holders && (KnowsWaiters ? s.Waiters?.Count == waiters : s.Waiters is null), what);
}
