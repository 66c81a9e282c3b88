using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Padlock.Stores;

namespace Padlock.Internal;

/// <summary>
/// The one implementation of <see cref="IDistributedElection"/>: a campaign is the shared acquire path (timeouts,
/// recursion refusal under the primitive key "election", telemetry) over <see cref="IElectionStore.CampaignAsync"/>;
/// reads and observation go to the store, with repeats and stale terms filtered here once for every store.
/// </summary>
internal sealed class DistributedElection(string name, object provider, ILockStore store, IElectionStore elections, ILogger logger, TimeProvider time)
    : IDistributedElection
{
    public string Name { get; } = name;

    // Not async: the campaign's FlowHolds cell must be added in the caller's flow (see FlowHolds).
    public ValueTask<ILeadership> CampaignAsync(string value, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ElectionLimits.ValidateValue(value, nameof(value));
        return AsLeadershipAsync(new CampaignAttempt(this, value).AcquireAsync(timeout, cancellationToken));
    }

    public ValueTask<ILeadership?> TryCampaignAsync(string value, TimeSpan timeout = default, CancellationToken cancellationToken = default)
    {
        ElectionLimits.ValidateValue(value, nameof(value));
        return AsLeadershipOrNullAsync(new CampaignAttempt(this, value).TryAcquireAsync(timeout, cancellationToken));
    }

    public ILeadership Campaign(string value, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ElectionLimits.ValidateValue(value, nameof(value));
        return (ILeadership)new CampaignAttempt(this, value).Acquire(timeout, cancellationToken);
    }

    public ILeadership? TryCampaign(string value, TimeSpan timeout = default, CancellationToken cancellationToken = default)
    {
        ElectionLimits.ValidateValue(value, nameof(value));
        return (ILeadership?)new CampaignAttempt(this, value).TryAcquire(timeout, cancellationToken);
    }

    public ValueTask<LeaderInfo?> GetLeaderAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _elections.GetLeaderAsync(Name, cancellationToken);
    }

    public async IAsyncEnumerable<LeaderInfo?> ObserveAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var first = true;
        LeaderInfo? last = null;
        long newest = 0; // the highest term yielded: an older one is a stale read
        long ended = 0; // the highest term seen to end: it never comes back
        await foreach (var seen in _elections.ObserveAsync(Name, cancellationToken).ConfigureAwait(false))
        {
            if (seen is not null && (seen.Term < newest || seen.Term <= ended)) continue;
            if (!first && seen == last) continue;
            if (seen is null && last is not null) ended = Math.Max(ended, last.Term);
            first = false;
            last = seen;
            if (seen is not null) newest = seen.Term;
            yield return seen;
        }
    }

    private static async ValueTask<ILeadership> AsLeadershipAsync(ValueTask<ILockHandle> acquiring)
        => (ILeadership)await acquiring.ConfigureAwait(false);

    private static async ValueTask<ILeadership?> AsLeadershipOrNullAsync(ValueTask<ILockHandle?> acquiring)
        => (ILeadership?)await acquiring.ConfigureAwait(false);

    /// <summary>One campaign: the shared acquire path with the value to campaign with.</summary>
    private sealed class CampaignAttempt(DistributedElection election, string value)
        : DistributedPrimitive(election.Name, "election", election._provider, election._store, election._logger, election._time)
    {
        protected override string Describe => $"election '{Name}'";

        protected override ValueTask<StoreLease?> TryAcquireInStoreAsync(LockWait wait) => election._elections.CampaignAsync(Name, value, wait);

        protected override ILockHandle MakeHandle(LockHandle handle, StoreLease lease) => new Leadership(handle, lease, election._elections, value);
    }

    private readonly object _provider = provider;
    private readonly ILockStore _store = store;
    private readonly IElectionStore _elections = elections;
    private readonly ILogger _logger = logger;
    private readonly TimeProvider _time = time;
}
