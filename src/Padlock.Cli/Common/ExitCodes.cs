namespace Padlock.Cli.Common;

/// <summary>
/// The process exit codes, documented in docs/cli.md. The BSD sysexits values are reused where one fits, and 124/126
/// follow timeout(1) and the shells, so scripts can tell "did not run" from "ran and failed".
/// </summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>A check failed (bench counter mismatch, demo total wrong under a lock).</summary>
    public const int Failed = 1;

    /// <summary>Bad command line: unknown option, malformed duration or URI, missing <c>--</c>, unknown program.</summary>
    public const int Usage = 2;

    /// <summary>The store could not be reached (EX_UNAVAILABLE).</summary>
    public const int StoreUnreachable = 69;

    /// <summary>The lock is held by someone else and no wait was asked for (EX_TEMPFAIL).</summary>
    public const int LockBusy = 75;

    /// <summary>The lock was lost while the command ran and <c>--on-lost warn</c> let it finish.</summary>
    public const int LostWarned = 76;

    /// <summary>The lock was lost while the command ran and the command was killed (<c>--on-lost kill</c>).</summary>
    public const int LostKilled = 77;

    /// <summary>The lock was not granted within <c>--wait</c> (as timeout(1)).</summary>
    public const int TimedOut = 124;

    /// <summary>The command exists but could not be started (as the shells).</summary>
    public const int CannotStart = 126;

    /// <summary>Interrupted by SIGINT before anything ran (128 + 2).</summary>
    public const int Interrupted = 130;
}
