namespace Padlock.Internal;

/// <summary>
/// Runs the async path synchronously, so the synchronous API shares every line of the async one.
/// Completed value tasks (an uncontended in-process or file lock) return without blocking a thread.
/// </summary>
internal static class SyncOverAsync
{
    internal static T Run<T>(ValueTask<T> task)
        => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();
}
