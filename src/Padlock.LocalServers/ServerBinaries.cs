namespace Padlock.LocalServers;

/// <summary>Locates server programs, failing with a message that says how to install them (never a silent skip).</summary>
public static class ServerBinaries
{
    /// <summary>The full path of <paramref name="program"/> on PATH (or the first existing of <paramref name="alternatives"/>).</summary>
    /// <exception cref="InvalidOperationException">Not installed.</exception>
    public static string Require(string program, params string[] alternatives)
    {
        foreach (var candidate in alternatives.Prepend(program))
        {
            if (Path.IsPathRooted(candidate))
            {
                if (File.Exists(candidate)) return candidate;
                continue;
            }
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            {
                var full = Path.Combine(dir, candidate);
                if (File.Exists(full)) return full;
            }
        }
        throw new InvalidOperationException(
            $"The test server program '{program}' is not installed. Run 'scripts/servers.sh install' (it installs Redis, ZooKeeper and etcd from the distribution's packages); scripts/test.sh does this for you.");
    }
}
