namespace Padlock.Stores;

/// <summary>
/// One holder inside this process, on a hold its store shares among its callers (<see cref="LocalLine{THold}"/>). Its lost
/// token follows the shared hold's (a lost hold is every local holder's loss) but is its own, so it stays quiet once
/// this holder has released; its release goes back to the store's line, which hands the hold on or gives it back.
/// </summary>
internal abstract class SharedHoldLease : StoreLease
{
    private readonly CancellationTokenRegistration _follow;

    /// <param name="holdLost">The shared hold's lost token.</param>
    /// <param name="fencingToken">This holder's token.</param>
    protected SharedHoldLease(CancellationToken holdLost, long fencingToken)
    {
        FencingToken = fencingToken;
        _follow = holdLost.UnsafeRegister(static s => ((SharedHoldLease)s!).MarkLost(), this);
    }

    /// <inheritdoc/>
    public override long FencingToken { get; }

    /// <summary>Gives the lock back to the store's line (which hands it on or gives it back to the server).</summary>
    protected abstract ValueTask ReturnAsync();

    /// <inheritdoc/>
    protected override ValueTask ReleaseCoreAsync()
    {
        // Not an async method: the registration's disposal nearly always completes at once, and then the line's
        // release is the only state machine.
        var follow = _follow.DisposeAsync();
        return follow.IsCompletedSuccessfully ? ReturnAsync() : ReturnAfterAsync(follow);
    }

    private async ValueTask ReturnAfterAsync(ValueTask follow)
    {
        await follow.ConfigureAwait(false);
        await ReturnAsync().ConfigureAwait(false);
    }
}
