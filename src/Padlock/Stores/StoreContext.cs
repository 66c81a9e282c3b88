using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Padlock.Stores;

/// <summary>Services a store may use: logging and time.</summary>
public sealed class StoreContext
{
    /// <summary>"machine-name/process-id".</summary>
    public static string DefaultOwner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    // DefaultOwner is declared first: static initialisers run in order, and Default reads it.
    /// <summary>A context with no logging and the system clock.</summary>
    public static StoreContext Default { get; } = new();

    /// <summary>Where stores log. Default: <see cref="NullLoggerFactory.Instance"/>.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The clock for leases and timeouts. Default: <see cref="TimeProvider.System"/>; tests inject a fake one.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// How holders from this process describe themselves where the store can record it (shown by <c>padlock status</c>).
    /// Default: <see cref="DefaultOwner"/>, "host/pid".
    /// </summary>
    public string OwnerDescription { get; init; } = DefaultOwner;

}
