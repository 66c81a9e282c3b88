using System.Diagnostics;

namespace Padlock.Cli.Common;

/// <summary>Starts this CLI again as a worker process (the demo and tests race several OS processes).</summary>
internal static class SelfProcess
{
    /// <summary>A start description for <c>padlock ARGS</c>, whether this runs as an apphost, a tool shim or <c>dotnet Padlock.Cli.dll</c>.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var psi = new ProcessStartInfo(host) { UseShellExecute = false };
        // Under the muxer the first argument must be our own assembly. (A Native AOT padlock is its own ProcessPath.)
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Padlock.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }
}
