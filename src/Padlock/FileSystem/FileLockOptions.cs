using Padlock.Stores;

namespace Padlock.FileSystem;

/// <summary>
/// Options of the file-system store (<c>file://DIR</c>). Checked when the store is built, which keeps a copy: changing
/// this object afterwards does not change the store. Each property says its default, allowed range and URI key.
/// </summary>
public sealed class FileLockOptions
{
    // Each default and range is declared here once; Validate, the URI factory and the XML docs (checked by a test) follow it.
    internal static readonly DurationSetting MaxPollIntervalSetting =
        new(nameof(FileLockOptions), nameof(MaxPollInterval), "poll", TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10));

    internal static readonly DurationSetting LossCheckIntervalSetting =
        new(nameof(FileLockOptions), nameof(LossCheckInterval), "losscheck", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));

    /// <summary>Every setting with a default and a range, in URI-key order of the docs.</summary>
    internal static IReadOnlyList<StoreSetting> Settings => [MaxPollIntervalSetting, LossCheckIntervalSetting];

    /// <summary>The directory holding one lock file per lock name; created if missing. Default: <see cref="DefaultDirectory"/>.</summary>
    public string Directory { get; set; } = DefaultDirectory;

    /// <summary>
    /// Longest pause between two attempts while waiting for another process to release (attempts start at 1 ms and
    /// back off up to this). Operating-system file locks offer no cross-process wake-up, so waiting polls;
    /// waiters in the same process queue in memory and only the first polls. Default 20ms; 1ms to 10s. URI: poll.
    /// </summary>
    public TimeSpan MaxPollInterval { get; set; } = MaxPollIntervalSetting.Default;

    /// <summary>How often a holder checks that its lock file is still the one on disk (someone may delete it). Default 1s; 10ms to 60m. URI: losscheck.</summary>
    public TimeSpan LossCheckInterval { get; set; } = LossCheckIntervalSetting.Default;

    /// <summary>The default directory: <c>padlock</c> under the system temporary directory, shared by every user of the machine.</summary>
    public static string DefaultDirectory => Path.Combine(Path.GetTempPath(), "padlock");

    /// <summary>A copy, so a store never shares the caller's mutable object.</summary>
    internal FileLockOptions Clone() => (FileLockOptions)MemberwiseClone();

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
            throw new ArgumentException("FileLockOptions.Directory must be a directory path.", nameof(Directory));
        if (Directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            throw new ArgumentException($"FileLockOptions.Directory '{Directory}' contains characters not allowed in a path.", nameof(Directory));
        MaxPollIntervalSetting.Check(MaxPollInterval);
        LossCheckIntervalSetting.Check(LossCheckInterval);
    }
}
