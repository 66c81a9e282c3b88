using Padlock.Stores;

namespace Padlock.InProcess;

/// <summary>
/// One waiter in an in-process line (a lock's, or one of <see cref="InProcessLines{TLine}"/>): the hand-off completes <see cref="Result"/> with the
/// lease, skipping waiters whose result is already cancelled. Shared so both lines wait and leave the same way.
/// </summary>
internal sealed class InProcessWaiter
{
    public readonly TaskCompletionSource<StoreLease?> Result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public LinkedListNode<InProcessWaiter>? Node;

    /// <summary>What the waiter asks for in a reader-writer line; unused by the lock's and the semaphore's lines.</summary>
    public LockMode Mode;

    /// <summary>The campaign value in an election's line; unused by the other lines.</summary>
    public string? Value;

    /// <summary>
    /// Waits for the hand-off. When <paramref name="wait"/> fires first, the waiter was not granted (the hand-off skips
    /// cancelled results), so it leaves its line under <paramref name="gate"/>, <paramref name="afterLeaving"/> tidies
    /// the line's entry for <paramref name="name"/>, and the
    /// cancellation goes on to the core. (A method and its argument rather than a closure: a lambda capturing the name
    /// would be allocated on every acquire, waiting or not.)
    /// </summary>
    public async ValueTask<StoreLease?> WaitAsync(LockWait wait, object gate, Action<string> afterLeaving, string name)
    {
        using (wait.Token.UnsafeRegister(static s => ((InProcessWaiter)s!).Result.TrySetCanceled(), this))
        {
            try
            {
                return await Result.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (gate)
                {
                    Node!.List?.Remove(Node);
                    afterLeaving(name);
                }
                throw;
            }
        }
    }
}
