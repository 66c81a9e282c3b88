using Padlock.LocalServers;

namespace Padlock.Cli.Servers;

/// <summary>Starts groups of detached servers, records them in the state file, and stops exactly the recorded ones.</summary>
internal sealed class ServerLauncher(ServerState state)
{
    public async Task<ServerGroup> StartAsync(ServerKind kind, int members, CancellationToken ct)
    {
        // A free port can be taken between choosing it and the server binding it (outgoing connections draw from the
        // same ephemeral range): a server that exits while starting is tried again on fresh ports, twice at most.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(kind, members, ct);
            }
            catch (ServerExitedException) when (attempt < 3)
            {
            }
        }
    }

    private async Task<ServerGroup> StartOnceAsync(ServerKind kind, int members, CancellationToken ct)
    {
        members = Math.Min(members, kind.MaxMembers);
        var program = kind.Program();
        var group = $"{kind.Name}-{Guid.NewGuid():N}"[..(kind.Name.Length + 9)];
        var planned = Enumerable.Range(0, members)
            .Select(i => new Member(FreePort.Next(), Enumerable.Range(0, kind.ExtraPorts(members)).Select(_ => FreePort.Next()).ToArray(), state.NewDataDirectory(kind.Name, i + 1)))
            .ToList();
        var records = new List<ServerRecord>();
        try
        {
            for (var i = 0; i < members; i++)
            {
                var m = planned[i];
                var pid = DetachedProcess.Start(kind.Command(program, i, planned), m.DataDirectory, Path.Combine(m.DataDirectory, "server.log"));
                var record = new ServerRecord(kind.Name, pid, m.Port, program, m.DataDirectory, group);
                records.Add(record);
                // Recorded at once: if padlock dies during the wait, `stop` still finds the process.
                lock (state) state.Save([.. state.Load(), record]);
            }
            await Task.WhenAll(records.Select(r => WaitReadyAsync(kind, r, ct)));
            return new ServerGroup(kind.Name, group, records, kind.Uris(planned));
        }
        catch
        {
            await StopAsync(records);
            throw;
        }
    }

    private static async Task WaitReadyAsync(ServerKind kind, ServerRecord r, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!await kind.ReadyAsync(r.Port, ct))
        {
            if (!DetachedProcess.IsRunning(r.Pid, r.Program))
                throw new ServerExitedException($"{kind.Name} on port {r.Port} exited while starting: {DetachedProcess.LogTail(Path.Combine(r.DataDirectory, "server.log"))}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{kind.Name} on port {r.Port} did not answer within 90 s: {DetachedProcess.LogTail(Path.Combine(r.DataDirectory, "server.log"))}");
            await Task.Delay(100, ct);
        }
    }

    /// <summary>SIGTERM to each recorded PID still running its program, SIGKILL after 10 s; data directories deleted; records removed.</summary>
    public async Task<IReadOnlyList<ServerRecord>> StopAsync(IReadOnlyList<ServerRecord> records)
    {
        await Task.WhenAll(records.Select(StopOneAsync));
        lock (state)
        {
            var keep = state.Load().Where(r => !records.Any(x => x.Pid == r.Pid && x.Port == r.Port)).ToList();
            state.Save(keep);
        }
        return records;
    }

    private static async Task StopOneAsync(ServerRecord r)
    {
        if (DetachedProcess.IsRunning(r.Pid, r.Program))
        {
            Posix.Terminate(r.Pid);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (DetachedProcess.IsRunning(r.Pid, r.Program) && DateTime.UtcNow < deadline) await Task.Delay(50);
            if (DetachedProcess.IsRunning(r.Pid, r.Program))
            {
                try { System.Diagnostics.Process.GetProcessById(r.Pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
            }
        }
        try { Directory.Delete(r.DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A server process ended before it answered (often: its port was taken in the meantime).</summary>
internal sealed class ServerExitedException(string message) : InvalidOperationException(message);
