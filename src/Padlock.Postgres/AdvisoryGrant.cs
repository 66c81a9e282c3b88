using System.Globalization;

namespace Padlock.Postgres;

/// <summary>
/// What one advisory-lock grant takes and writes: the key (held exclusively, or shared by a reader), the fencing row
/// raised in the grant's transaction and, for an election, the campaign value written into that row with the holding
/// backend's pid, and the channel its grant and release notify. Reader-writer and election keys and rows are the
/// name under a prefix starting with U+0001 (as the semaphore's), so each primitive's names are their own namespace.
/// </summary>
internal sealed class AdvisoryGrant
{
    private AdvisoryGrant(string name, string keyName, bool shared, string? value)
    {
        Name = name;
        FenceRow = keyName;
        Key = AdvisoryKey.Of(keyName);
        Shared = shared;
        Value = value;
        Channel = value is null ? null : ChannelOf(Key);
    }

    /// <summary>The name the caller asked for.</summary>
    public string Name { get; }

    /// <summary>The advisory key.</summary>
    public long Key { get; }

    /// <summary>The fencing row's name (the lock's own name; the prefixed name for the other primitives).</summary>
    public string FenceRow { get; }

    /// <summary>Taken with <c>pg_advisory_lock_shared</c> (a reader), else exclusively.</summary>
    public bool Shared { get; }

    /// <summary>An election's campaign value, written in the grant's transaction; null for other primitives.</summary>
    public string? Value { get; }

    /// <summary>An election's notification channel (grant, proclaim and release notify it); null for other primitives.</summary>
    public string? Channel { get; }

    public static AdvisoryGrant Lock(string name) => new(name, name, shared: false, value: null);

    public static AdvisoryGrant ReaderWriter(string name, bool read) => new(name, "\u0001rw:" + name, read, value: null);

    public static AdvisoryGrant Election(string name, string value) => new(name, ElectionRow(name), shared: false, value);

    public static string ElectionRow(string name) => "\u0001el:" + name;

    /// <summary>An identifier (letters, digits, '_'), so it is safe inline in LISTEN and pg_notify.</summary>
    public static string ChannelOf(long key) => "padlock_el_" + ((ulong)key).ToString("x16", CultureInfo.InvariantCulture);
}
