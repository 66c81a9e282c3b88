namespace Padlock.Testing;

/// <summary>
/// Runs work as an async flow of its own, which does not inherit the caller's holds: how a test lets "someone else
/// in this process" contend for a name the test's flow holds through the same provider (the same flow would get
/// <see cref="LockRecursionException"/>).
/// </summary>
public static class SeparateFlow
{
    /// <summary>Starts <paramref name="work"/> on the thread pool without the caller's execution context.</summary>
    public static Task<T> Run<T>(Func<Task<T>> work)
    {
        using (ExecutionContext.SuppressFlow()) return Task.Run(work);
    }

    /// <summary>Starts <paramref name="work"/> on the thread pool without the caller's execution context.</summary>
    public static Task Run(Func<Task> work)
    {
        using (ExecutionContext.SuppressFlow()) return Task.Run(work);
    }
}
