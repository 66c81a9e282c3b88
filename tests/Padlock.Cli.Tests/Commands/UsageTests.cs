using Padlock.Cli.Tests.Infrastructure;

namespace Padlock.Cli.Tests.Commands;

/// <summary>Bad input: one line on standard error naming the problem and the allowed form, exit code 2, no stack trace.</summary>
[Collection(CliCollection.Name)]
public sealed class UsageTests
{
    [Theory]
    [InlineData("Unrecognized command or argument '--bogus'", "run", "job", "--bogus", "--", "true")]
    [InlineData("missing '--' before the command", "run", "job", "echo", "hi")]
    [InlineData("no command after '--'", "run", "job", "--")]
    [InlineData("invalid duration '5q' for --wait: expected a number with a unit", "run", "job", "--wait", "5q", "--", "true")]
    [InlineData("Argument 'ignore' not recognized. Must be one of: 'kill' 'warn'", "run", "job", "--on-lost", "ignore", "--", "true")]
    [InlineData("unknown store scheme 'foo://'", "run", "job", "--store", "foo://bar", "--", "true")]
    [InlineData("Unknown option 'nope'", "run", "job", "--store", "file:///tmp/x?nope=1", "--", "true")]
    [InlineData("is not a duration", "run", "job", "--store", "file:///tmp/x?losscheck=soon", "--", "true")]
    [InlineData("not a store URI", "status", "job", "--store", "localhost:6379")]
    [InlineData("command not found: 'no-such-program-padlock'", "run", "job", "--", "no-such-program-padlock")]
    [InlineData("invalid lock name", "run", " ", "--", "true")]
    [InlineData("invalid duration 'fast' for --duration", "bench", "--store", "mem://", "--duration", "fast")]
    [InlineData("invalid value 0 for --workers: expected 1 to 1024", "bench", "--store", "mem://", "--workers", "0")]
    [InlineData("give --duration or --ops, not both", "bench", "--store", "mem://", "--duration", "1s", "--ops", "10")]
    [InlineData("Option '--store' is required", "bench")]
    [InlineData("Unknown option 'nope' in 'file:///tmp/x?nope=1'", "bench", "--store", "mem://", "--store", "file:///tmp/x?nope=1")]
    [InlineData("Required argument 'NAME' missing", "status")]
    [InlineData("invalid value 0 for --cluster", "servers", "start", "--cluster", "0")]
    [InlineData("'--' is only for 'padlock run", "demo", "--", "true")]
    [InlineData("duration '600h' for --wait is too long: at most 24.9 days", "run", "job", "--wait", "600h", "--", "true")]
    [InlineData("duration '9999999s' for --acquire-timeout is too long", "bench", "--store", "mem://", "--acquire-timeout", "9999999s")]
    [InlineData("mem:// locks exclude only tasks inside one process", "run", "job", "--store", "mem://", "--", "true")]
    [InlineData("mem:// locks exclude only tasks inside one process", "run", "job", "--store", "MEM://", "--", "true")]
    // The path is checked before measuring: without the check this measured for 30 s and then failed with exit 1.
    [InlineData("invalid path '/nonexistent-padlock/dir/r.html' for --report: directory '/nonexistent-padlock/dir' does not exist", "bench", "--store", "mem://", "--duration", "30s", "--report", "/nonexistent-padlock/dir/r.html")]
    [InlineData("invalid path '/proc/r.json' for --json: cannot write there", "bench", "--store", "mem://", "--duration", "30s", "--json", "/proc/r.json")]
    [InlineData("invalid path '/tmp' for --report: it is a directory", "bench", "--store", "mem://", "--duration", "30s", "--report", "/tmp")]
    [InlineData("Unrecognized command or argument 'frobnicate'", "frobnicate")]
    [InlineData("Required command was not provided", "")]
    public async Task Bad_input_is_one_line_with_exit_code_2(string expected, params string[] args)
    {
        var result = await CliProcess.RunAsync([.. args.Where(a => a.Length > 0)]);

        Assert.True(result.ExitCode == 2, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, result.ToString());
        Assert.StartsWith("padlock: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stdout + result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_every_command_and_exits_0()
    {
        var result = await CliProcess.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var command in new[] { "demo", "run", "bench", "status", "servers", "shards" })
            Assert.Contains(command, result.Stdout, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\s+worker\s", result.Stdout); // the internal worker command stays hidden
    }
}
