using System.Globalization;

namespace Padlock.Postgres;

/// <summary>
/// The advisory keys, counter rows and notification channel of one semaphore name (see docs/stores/postgres.md,
/// Semaphores). Every key is <see cref="AdvisoryKey"/> of the name under a prefix starting with U+0001, so they never
/// equal a plain lock's key unless a lock is named so (then the two only exclude each other: safe, slower).
/// </summary>
internal sealed class SemaphoreKeys
{
    public SemaphoreKeys(string name, int maxCount)
    {
        Gate = AdvisoryKey.Of("\u0001sem-gate:" + name);
        Users = AdvisoryKey.Of("\u0001sem-users:" + name);
        Line = AdvisoryKey.Of("\u0001sem-line:" + name);
        Slots = new long[maxCount];
        for (var i = 0; i < maxCount; i++) Slots[i] = AdvisoryKey.Of(string.Create(CultureInfo.InvariantCulture, $"\u0001sem-slot:{i}:{name}"));
        FenceRow = "\u0001sem:" + name;
        CountRow = "\u0001sem-count:" + name;
        Channel = "padlock_sem_" + ((ulong)Line).ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>Transaction-level: serializes the maxCount check of clients entering.</summary>
    public long Gate { get; }

    /// <summary>Held shared by every holder and waiter: nobody else holds it exclusively while anyone uses the name.</summary>
    public long Users { get; }

    /// <summary>The line: waiters queue for it in the server's lock queue; its holder is the head waiter.</summary>
    public long Line { get; }

    /// <summary>The permits: one advisory key per slot.</summary>
    public long[] Slots { get; }

    /// <summary>The fencing counter row of the semaphore (apart from the lock's row of the same name).</summary>
    public string FenceRow { get; }

    /// <summary>The row holding the maxCount the name is in use with (its token column).</summary>
    public string CountRow { get; }

    /// <summary>Where a release notifies the head waiter (an identifier: letters, digits, '_').</summary>
    public string Channel { get; }
}
