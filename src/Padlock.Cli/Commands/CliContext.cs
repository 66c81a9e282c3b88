using Padlock.Cli.Output;

namespace Padlock.Cli.Commands;

/// <summary>What every command needs: the output, the arguments after "--", and Ctrl-C.</summary>
internal sealed record CliContext(Terminal Terminal, string[]? CommandTail, CancellationToken Interrupted);
