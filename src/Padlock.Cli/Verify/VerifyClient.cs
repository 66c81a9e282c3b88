using System.Diagnostics;
using System.Globalization;
using System.Text;
using Padlock.Cli.Common;

namespace Padlock.Cli.Verify;

/// <summary>
/// One verify client (<c>padlock worker verify</c>), its own OS process so faults hit it alone. It loops: acquire
/// (bounded wait), read the register (entering the critical section), hold, write value + 1, leave, release, until its
/// standard input closes; with several callers, each runs that loop on the process's one provider (events numbered
/// across them). It is deliberately naive: it writes even when its lock was lost during the hold, as a holder
/// frozen between its last check and its write would; whether and when the loss was reported is logged, not obeyed.
/// Every event goes to its log as one line, written straight to the kernel so a SIGKILL loses nothing logged.
/// Times are <see cref="Stopwatch.GetTimestamp"/> ticks: CLOCK_MONOTONIC, one clock for every process on the machine.
/// </summary>
internal static class VerifyClient
{
    public static async Task<int> RunAsync(string store, string name, int client, string registerPath, string logPath, TimeSpan hold, TimeSpan acquireTimeout, bool fenced, int callers, VerifyPrimitive primitive, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Verify closes our standard input to end the run.
        _ = Task.Run(async () =>
        {
            try { await Console.In.ReadToEndAsync(stop.Token); } catch (OperationCanceledException) { }
            stop.Cancel();
        }, CancellationToken.None);
        using var log = new EventLog(logPath);
        using var register = new Register(registerPath);
        await using var provider = StoreOpener.Open(store, EventLogLogger.Enabled ? new EventLogLogger(log.Write) : null);
        var acquire = primitive.Acquirer(provider, name, client, acquireTimeout);
        // Connect before reporting ready (network stores connect lazily), so the run's clock starts with every client able to contend.
        // Retried for up to 60 s: on a loaded machine a first connect can miss the store's connect timeout.
        for (var started = Stopwatch.GetTimestamp(); ;)
        {
            try
            {
                await using ((await provider.CreateLock(name + "-warmup-" + client).TryAcquireAsync(TimeSpan.FromSeconds(30), stop.Token))!) { }
                break;
            }
            catch (Exception) when (!stop.IsCancellationRequested && Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(60))
            {
                await Pause(stop.Token);
            }
        }
        Console.WriteLine("ready");
        Console.Out.Flush();
        var seq = 0;

        // An exclusive hold updates the register: read, hold, write value + 1 (a lost update shows two holders at once).
        void ReadModifyWrite(int s, ILockHandle handle)
        {
            var token = handle.FencingToken;
            var value = register.Read(client, token, fenced);
            log.Write($"R {s} {Stopwatch.GetTimestamp()} {(value is null ? "rejected" : value.Value.ToString(CultureInfo.InvariantCulture))}");
            if (value is null) return;
            if (hold > TimeSpan.Zero) Thread.Sleep(hold); // a blocking hold: a SIGSTOP here freezes the holder mid-update
            _ = handle.IsLost; // stores that check their deadline lazily report the loss here
            var outcome = register.Write(value.Value + 1, token, fenced);
            log.Write($"W {s} {Stopwatch.GetTimestamp()} {outcome}");
        }

        // A shared hold (a permit, a read) holds, then counts itself in the register in one atomic step: several may
        // hold at once, so a read-modify-write would lose updates that are no fault of the store's. How many hold at
        // once is checked from the logs.
        void SharedHold(int s, ILockHandle handle)
        {
            register.Enter(client);
            if (hold > TimeSpan.Zero) Thread.Sleep(hold);
            _ = handle.IsLost;
            log.Write($"W {s} {Stopwatch.GetTimestamp()} {register.Add()}");
        }

        async Task CallerLoopAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var asked = Stopwatch.GetTimestamp();
                ILockHandle? handle;
                bool exclusive;
                try
                {
                    (handle, exclusive) = await acquire(stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    log.Write($"F {Stopwatch.GetTimestamp()} {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
                    await Pause(stop.Token);
                    continue;
                }
                if (handle is null)
                {
                    log.Write($"F {Stopwatch.GetTimestamp()} not granted within {Durations.Format(acquireTimeout)}");
                    continue;
                }
                var s = Interlocked.Increment(ref seq);
                log.Write($"G {s} {Stopwatch.GetTimestamp()} {handle.FencingToken} {asked} {(exclusive ? 'x' : 's')}");
                using (handle.LostToken.Register(() => log.Write($"L {s} {Stopwatch.GetTimestamp()}")))
                {
                    try
                    {
                        if (exclusive) ReadModifyWrite(s, handle);
                        else SharedHold(s, handle);
                        register.Leave(client);
                    }
                    finally
                    {
                        log.Write($"E {s} {Stopwatch.GetTimestamp()}");
                        try
                        {
                            await handle.DisposeAsync();
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            log.Write($"X {s} {Stopwatch.GetTimestamp()} {ex.GetType().Name}");
                        }
                    }
                }
            }
        }

        // Each caller a flow of its own (no execution context shared), as separate threads of an application would be.
        Task Caller()
        {
            using (ExecutionContext.SuppressFlow()) return Task.Run(CallerLoopAsync);
        }
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Caller()));
        return ExitCodes.Ok;
    }

    private static async Task Pause(CancellationToken ct)
    {
        try { await Task.Delay(50, ct); } catch (OperationCanceledException) { }
    }

    /// <summary>An append-only log, one write(2) per line, shared by the loop and the loss callbacks.</summary>
    private sealed class EventLog(string path) : IDisposable
    {
        private readonly FileStream _file = new(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);

        public void Write(string line)
        {
            var bytes = Encoding.ASCII.GetBytes(line + "\n");
            lock (_file)
            {
                _file.Write(bytes);
                _file.Flush();
            }
        }

        public void Dispose() => _file.Dispose();
    }
}
