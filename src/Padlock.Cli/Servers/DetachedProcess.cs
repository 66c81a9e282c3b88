using System.Diagnostics;

namespace Padlock.Cli.Servers;

/// <summary>
/// Starts a server that outlives padlock: in its own session (setsid), stdio to a log file, so neither the end of
/// padlock nor a Ctrl-C in its terminal reaches it. The shell and setsid both exec, so the PID returned is the server's.
/// </summary>
internal static class DetachedProcess
{
    public static int Start(IReadOnlyList<string> command, string workingDirectory, string logFile)
    {
        var program = command[0];
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec setsid \"$@\" >\"$PADLOCK_SERVER_LOG\" 2>&1 </dev/null");
        psi.ArgumentList.Add("padlock-server");
        psi.ArgumentList.Add(program);
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        psi.Environment["PADLOCK_SERVER_LOG"] = logFile;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Path.GetFileName(program)}");
        return process.Id;
    }

    /// <summary>True while <paramref name="pid"/> runs <paramref name="program"/> (not a zombie, not a reused PID).</summary>
    public static bool IsRunning(int pid, string program)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault();
            if (state is 'Z' or 'X') return false;
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains(Path.GetFileName(program), StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static string LogTail(string logFile)
    {
        try
        {
            var text = File.ReadAllText(logFile);
            return text.Length > 1500 ? text[^1500..] : text;
        }
        catch (IOException)
        {
            return "";
        }
    }
}
