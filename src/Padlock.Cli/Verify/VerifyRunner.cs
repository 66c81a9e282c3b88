using System.Diagnostics;
using System.Globalization;
using System.Text;
using Padlock.Cli.Common;
using Padlock.LocalServers;

namespace Padlock.Cli.Verify;

/// <summary>
/// One row of <c>padlock verify</c>: starts the client processes on a fresh register and lock name, injects the fault
/// again and again for the duration (after a short warm-up), stops the clients, and hands their logs to the
/// <see cref="Checker"/>.
/// </summary>
internal sealed class VerifyRunner(VerifyOptions options, string workDir)
{
    private readonly List<Slot> _slots = [];
    private string _dir = "";
    private string _fault = "";
    private string _name = "";
    private string _uri = "";

    public async Task<VerifyResult> RunAsync(string uri, string fault, LocalServer? server, CancellationToken ct)
    {
        var row = new VerifyResult { Store = StoreOpener.Shown(uri), Fault = fault, Fenced = options.Fenced, Clients = options.Clients, Primitive = options.Primitive.Label, Permits = options.Primitive.Kind == VerifyPrimitive.Semaphore ? options.Primitive.Permits : null };
        if (Faults.Unsupported(fault, uri, server) is { } why) return Checker.Judge(row with { NotRun = why });
        var id = Guid.NewGuid().ToString("N")[..8];
        _dir = Path.Combine(workDir, id);
        _name = "padlock-verify-" + id;
        _uri = uri;
        _fault = fault;
        Directory.CreateDirectory(_dir);
        using var register = new Register(Path.Combine(_dir, "register"));
        var faults = new List<FaultEvent>();
        try
        {
            for (var i = 0; i < options.Clients; i++) _slots.Add(Spawn(i));
            foreach (var s in _slots)
            {
                if (await s.ReadyAsync(ct) is { } failure) return Checker.Judge(row with { NotRun = failure });
            }
            var start = Stopwatch.GetTimestamp();
            double Now() => Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var freeze = options.FreezeFor(uri);
            if (fault == Faults.None)
            {
                await Task.Delay(options.Duration, ct);
            }
            else
            {
                await Task.Delay(TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, options.Duration.Ticks / 5)), ct);
                do
                {
                    faults.Add(await InjectAsync(fault, server, register, freeze, Now, ct));
                    await ProgressAsync(register, ct);
                    // Settle before the next fault, so each is measured on its own.
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(freeze.TotalMilliseconds, 500, 3000)), ct);
                }
                while (Now() < options.Duration.TotalMilliseconds);
            }
            var end = Stopwatch.GetTimestamp();
            await StopAllAsync(server);
            return Checker.Check(row, [.. _slots.Select(s => new Checker.ClientRun(s.Index, s.Log, s.DiedAt))], register.Snapshot(), faults, start, end);
        }
        finally
        {
            server?.Thaw();
            foreach (var s in _slots) s.Dispose();
            // PADLOCK_VERIFY_KEEP=1 keeps the clients' logs and the register for a closer look.
            if (Environment.GetEnvironmentVariable("PADLOCK_VERIFY_KEEP") is null or "" or "0")
            {
                try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
            }
            else
            {
                Console.Error.WriteLine($"padlock: kept {_dir}");
            }
        }
    }

    private async Task<FaultEvent> InjectAsync(string fault, LocalServer? server, Register register, TimeSpan freeze, Func<double> now, CancellationToken ct)
    {
        switch (fault)
        {
            case Faults.Pause:
            {
                var victim = await HolderAsync(register, ct);
                var at = now();
                Posix.Pause(victim.Process.Id);
                await Task.Delay(freeze, ct);
                Posix.Resume(victim.Process.Id);
                return new FaultEvent(fault, $"client {victim.Index}", at, now());
            }
            case Faults.Kill:
            {
                var victim = await HolderAsync(register, ct);
                var at = now();
                victim.Process.Kill();
                victim.DiedAt = Stopwatch.GetTimestamp();
                await victim.Process.WaitForExitAsync(ct);
                var done = now();
                // A replacement keeps the contention the same; it is a new client, with its own log.
                var fresh = Spawn(_slots.Count);
                _slots.Add(fresh);
                if (await fresh.ReadyAsync(ct) is { } failure) throw new InvalidOperationException("replacement client: " + failure);
                return new FaultEvent(fault, $"client {victim.Index}", at, done);
            }
            case Faults.Partition:
            {
                // The holder cut off from the store, alive and running: unlike a pause it can hear its loss, from its
                // own clock, and the store's lease or session runs out while it is away.
                var victim = await HolderAsync(register, ct);
                var at = now();
                victim.Network!.Cut = true;
                try
                {
                    await Task.Delay(freeze, ct);
                }
                finally
                {
                    victim.Network.Cut = false;
                }
                return new FaultEvent(fault, $"client {victim.Index}", at, now());
            }
            case Faults.Restart:
            {
                await server!.AimAsync();
                var at = now();
                await server.RestartAsync();
                return new FaultEvent(fault, server.Target, at, now());
            }
            case Faults.ServerPause:
            {
                await server!.AimAsync();
                var at = now();
                server.Freeze();
                await Task.Delay(freeze, ct);
                server.Thaw();
                return new FaultEvent(fault, server.Target, at, now());
            }
            case Faults.MemberPause:
            {
                // A follower frozen (a VM pause): clients talking to it must move on; the cluster keeps its quorum.
                await server!.AimAtFollowerAsync();
                var at = now();
                server.Freeze();
                await Task.Delay(freeze, ct);
                server.Thaw();
                return new FaultEvent(fault, server.Target, at, now());
            }
            case Faults.Failover:
            {
                // The leader killed and kept down for the pause: the rest elect a new one and must go on granting; then
                // it comes back and catches up (the loop repeats, as in the defects found with a leader killed in a loop).
                await server!.AimAsync();
                var at = now();
                await server.KillAsync();
                await Task.Delay(freeze, ct);
                await server.StartAgainAsync();
                return new FaultEvent(fault, server.Target, at, now());
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, "unknown fault");
        }
    }

    /// <summary>Waits (up to 15 s) until the register takes another write, so every fault is followed by its recovery.</summary>
    private static async Task ProgressAsync(Register register, CancellationToken ct)
    {
        var before = register.Snapshot(locked: false).WritesAccepted;
        var deadline = Stopwatch.GetTimestamp() + 15 * Stopwatch.Frequency;
        while (register.Snapshot(locked: false).WritesAccepted == before && Stopwatch.GetTimestamp() < deadline) await Task.Delay(10, ct);
    }

    /// <summary>The client inside the critical section (by the register's flag), waiting up to 2 s; else any live client.</summary>
    private async Task<Slot> HolderAsync(Register register, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + 2 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var inside = register.Snapshot(locked: false).InsideClient;
            var slot = _slots.FirstOrDefault(s => s.Index == inside && s.DiedAt is null);
            if (slot is not null) return slot;
            await Task.Delay(1, ct);
        }
        return _slots.First(s => s.DiedAt is null);
    }

    private async Task StopAllAsync(LocalServer? server)
    {
        server?.Thaw();
        foreach (var s in _slots.Where(s => s.DiedAt is null))
        {
            Posix.Resume(s.Process.Id);
            try { s.Process.StandardInput.Close(); } catch (IOException) { }
        }
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        foreach (var s in _slots.Where(s => s.DiedAt is null))
        {
            try
            {
                await s.Process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                s.Process.Kill();
                s.DiedAt = Stopwatch.GetTimestamp();
            }
        }
    }

    private Slot Spawn(int index)
    {
        // Under the partition fault every client has its own relays, so that one can be cut alone.
        var network = _fault == Faults.Partition ? ClientNetwork.Open(_uri) : null;
        var psi = SelfProcess.StartInfo(
        [
            "worker", "verify", "--store", network?.Uri ?? _uri, "--name", _name, "--client", index.ToString(CultureInfo.InvariantCulture),
            "--register", Path.Combine(_dir, "register"), "--log", Path.Combine(_dir, $"client-{index}.log"),
            "--hold-ms", ((int)options.Hold.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            "--acquire-timeout-ms", ((int)options.AcquireTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            "--callers", options.Callers.ToString(CultureInfo.InvariantCulture),
            "--primitive", options.Primitive.Kind, "--permits", options.Primitive.Permits.ToString(CultureInfo.InvariantCulture),
            .. options.Fenced ? new[] { "--fenced" } : [],
        ]);
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        return new Slot(index, Process.Start(psi)!, Path.Combine(_dir, $"client-{index}.log"), network);
    }

    private sealed class Slot : IDisposable
    {
        private readonly StringBuilder _stderr = new();

        public Slot(int index, Process process, string log, ClientNetwork? network)
        {
            Network = network;
            Index = index;
            Process = process;
            Log = log;
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
            process.BeginErrorReadLine();
        }

        public int Index { get; }
        public Process Process { get; }

        /// <summary>The client's relays to the store, under the partition fault.</summary>
        public ClientNetwork? Network { get; }
        public string Log { get; }
        public long? DiedAt { get; set; }

        /// <summary>Null once the client printed "ready"; otherwise why it did not (its error line).</summary>
        public async Task<string?> ReadyAsync(CancellationToken ct)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var line = await Process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line == "ready") return null;
            if (!Process.HasExited) Process.Kill();
            await Process.WaitForExitAsync(CancellationToken.None);
            string err;
            lock (_stderr) err = _stderr.ToString().Trim();
            return (err.Length > 0 ? err : line ?? "client exited").Replace("padlock: ", "", StringComparison.Ordinal).Split('\n')[0];
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Posix.Resume(Process.Id);
                Process.Kill();
            }
            Process.Dispose();
            // Relays outlive their client's process (which may still be draining writes), never the run.
            Network?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
