using Xunit;

namespace Padlock.Postgres.Tests;

/// <summary>Polls a state probe until it holds, failing the test with what was awaited after a generous bound.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        using var guard = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (guard.IsCancellationRequested) Assert.Fail("Timed out waiting until " + what);
            await Task.Delay(20);
        }
    }
}
