namespace Padlock.Cli.Demo;

/// <summary>One experiment of the demo: what was expected, what came out, how long it took, or why it could not run.</summary>
internal sealed record DemoResult(string Experiment, string Store, long Expected, long? Total, double Seconds, bool Locked, string? Error = null, string? Detail = null)
{
    public bool Correct => Total == Expected;
}
