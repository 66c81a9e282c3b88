using System.Net;
using StackExchange.Redis;

namespace Padlock.Redis.Connection;

/// <summary>Reads a StackExchange.Redis configuration string for the stores that take one, with errors that never show it (it may hold a password).</summary>
internal static class RedisConfiguration
{
    /// <exception cref="ArgumentException">The string is empty, cannot be parsed, or names no endpoint.</exception>
    public static ConfigurationOptions Parse(string configuration)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        ConfigurationOptions config;
        try
        {
            config = ConfigurationOptions.Parse(configuration);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or NotSupportedException)
        {
            // The client's message names the keyword at fault, not the password; the string itself is not repeated.
            throw new ArgumentException($"The StackExchange.Redis configuration string cannot be read: {ex.Message}", nameof(configuration), ex);
        }
        if (config.EndPoints.Count == 0)
            throw new ArgumentException("The StackExchange.Redis configuration string names no endpoint: expected e.g. \"host:6379,ssl=true\".", nameof(configuration));
        return config;
    }

    /// <summary>"host:port" of an endpoint, for messages.</summary>
    public static string EndpointText(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint d => $"{d.Host}:{d.Port}",
        _ => endpoint.ToString() ?? "",
    };
}
