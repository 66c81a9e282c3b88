using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Padlock.Cli.Verify;

/// <summary>
/// With <c>PADLOCK_VERIFY_DEBUG=1</c>, a verify client's store logs (debug and up) go into its event log as
/// <c>D</c> lines on the same monotonic clock, so a stall or a loss can be read next to the grants around it
/// (keep the logs with <c>PADLOCK_VERIFY_KEEP=1</c>).
/// </summary>
internal sealed class EventLogLogger(Action<string> write) : ILoggerFactory, ILogger
{
    public static bool Enabled => Environment.GetEnvironmentVariable("PADLOCK_VERIFY_DEBUG") is "1" or "true";

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider) { }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var text = formatter(state, exception) + (exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message.Split('\n')[0]}]");
        write($"D {Stopwatch.GetTimestamp()} {logLevel} {text.Replace('\n', ' ')}");
    }

    public void Dispose() { }
}
