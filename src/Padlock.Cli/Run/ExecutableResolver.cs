namespace Padlock.Cli.Run;

/// <summary>Finds the program to run the way a shell would, so "no such command" is a usage error before any lock is taken.</summary>
internal static class ExecutableResolver
{
    /// <summary>The full path of <paramref name="command"/>, or null when it is neither a file nor on PATH.</summary>
    public static string? Resolve(string command)
    {
        if (command.Length == 0) return null;
        if (command.Contains('/'))
            return File.Exists(command) ? Path.GetFullPath(command) : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var full = Path.Combine(dir, command);
            if (File.Exists(full)) return full;
        }
        return null;
    }
}
