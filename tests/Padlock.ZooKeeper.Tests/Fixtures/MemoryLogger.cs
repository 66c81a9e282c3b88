using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Padlock.ZooKeeper.Tests.Fixtures;

/// <summary>Keeps log lines in memory, so a failing test can show what the client did.</summary>
public sealed class MemoryLoggerFactory : ILoggerFactory, ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider) { }

    public void Dispose() { }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {formatter(state, exception)}");

    public string Tail(int n) => string.Join("\n", Lines.TakeLast(n));
}
