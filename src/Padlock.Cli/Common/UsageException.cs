namespace Padlock.Cli.Common;

/// <summary>Bad input on the command line: printed as one line, exit code <see cref="ExitCodes.Usage"/>.</summary>
internal sealed class UsageException(string message) : Exception(message);
