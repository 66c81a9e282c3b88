using Padlock.Cli.Primitives;

namespace Padlock.Cli.Run;

/// <summary>What to do when the lock is lost while the command runs.</summary>
internal enum LostPolicy
{
    /// <summary>Kill the command's process tree; exit 77.</summary>
    Kill,

    /// <summary>Print a warning and let the command finish; exit 76.</summary>
    Warn,
}

/// <summary>The parsed <c>padlock run</c> command line.</summary>
internal sealed record RunOptions(string LockName, string StoreUri, TimeSpan Wait, LostPolicy OnLost, string[] Command, Primitive Primitive);
