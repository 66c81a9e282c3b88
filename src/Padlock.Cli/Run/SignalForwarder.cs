using System.Runtime.InteropServices;

namespace Padlock.Cli.Run;

/// <summary>
/// Catches SIGHUP, SIGINT, SIGQUIT and SIGTERM for padlock (so it survives to release the lock) and passes each to the
/// command; a signal that arrives before the command has a PID is passed on as soon as it has one.
/// </summary>
internal sealed class SignalForwarder : IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations;
    private readonly List<int> _pending = [];
    private int _pid;

    public SignalForwarder()
    {
        _registrations = [.. Signals.Forwarded.Select(s => PosixSignalRegistration.Create(s.Signal, c =>
        {
            c.Cancel = true;
            Forward(s.Number);
        }))];
    }

    public void Started(int pid)
    {
        int[] pending;
        lock (_pending)
        {
            _pid = pid;
            pending = [.. _pending];
            _pending.Clear();
        }
        foreach (var signal in pending) Signals.Send(pid, signal);
    }

    private void Forward(int signal)
    {
        lock (_pending)
        {
            if (_pid == 0)
            {
                _pending.Add(signal);
                return;
            }
        }
        Signals.Send(_pid, signal);
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
