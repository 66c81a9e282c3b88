using System.Buffers.Binary;
using System.Text;
using Padlock.FileSystem;
using Xunit;

namespace Padlock.Tests.FileSystem;

/// <summary>file:// elections: the leader record counts only for the term the election file last granted.</summary>
public sealed class FileElectionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "padlock-tests", "fileelection-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_record_written_late_by_an_earlier_leader_is_never_shown_as_the_leader()
    {
        var store = new FileLockStore(new FileLockOptions { Directory = _dir });
        await using var provider = new LockProvider(store);
        var name = "late-" + Guid.NewGuid().ToString("N");
        var election = provider.CreateElection(name);
        var first = await election.CampaignAsync("first", TimeSpan.FromSeconds(10));
        var firstTerm = first.FencingToken;
        await first.DisposeAsync();
        await using var second = await election.CampaignAsync("second", TimeSpan.FromSeconds(10));
        Assert.Equal(new LeaderInfo("second", second.FencingToken), await election.GetLeaderAsync());

        // The first leader, paused between its last check and its write, writes its record after the second was elected.
        var record = new byte[8 + 5];
        BinaryPrimitives.WriteInt64LittleEndian(record, firstTerm);
        Encoding.UTF8.GetBytes("first", record.AsSpan(8));
        File.WriteAllBytes(store.ElectionPathFor(name) + "-leader", record);

        // Not "first": the record's term is not the one the election file last granted (the second leader may re-proclaim).
        Assert.Null(await election.GetLeaderAsync());
        await second.ProclaimAsync("second again");
        Assert.Equal(new LeaderInfo("second again", second.FencingToken), await election.GetLeaderAsync());
    }
}
