namespace Padlock.FileSystem;

/// <summary>Options of the file-system store (<c>file://DIR</c>). Checked when the store is built.</summary>
public sealed class FileLockOptions
{
    /// <summary>The directory holding one lock file per lock name; created if missing. Default: <see cref="DefaultDirectory"/>.</summary>
    public string Directory { get; set; } = DefaultDirectory;

    /// <summary>
    /// Longest pause between two attempts while waiting for another process to release (attempts start at 1 ms and
    /// back off up to this). Operating-system file locks offer no cross-process wake-up, so waiting polls;
    /// waiters in the same process queue in memory and only the first polls. Default 20 ms; 1 ms to 10 s.
    /// </summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How often a holder checks that its lock file is still the one on disk (someone may delete it). Default 1 s; 10 ms to 1 h.</summary>
    public TimeSpan LossCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The default directory: <c>padlock</c> under the system temporary directory, shared by every user of the machine.</summary>
    public static string DefaultDirectory => Path.Combine(Path.GetTempPath(), "padlock");

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Directory))
            throw new ArgumentException("FileLockOptions.Directory must be a directory path.", nameof(Directory));
        if (Directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            throw new ArgumentException($"FileLockOptions.Directory '{Directory}' contains characters not allowed in a path.", nameof(Directory));
        Check(MaxPollInterval, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10), nameof(MaxPollInterval));
        Check(LossCheckInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1), nameof(LossCheckInterval));
    }

    private static void Check(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"FileLockOptions.{name} must be between {Durations.Format(min)} and {Durations.Format(max)}.");
    }
}
