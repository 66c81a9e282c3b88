using System.Text;
using Microsoft.Extensions.Configuration;

namespace Padlock.DependencyInjection;

/// <summary>
/// Reads a store URI from configuration: the section's own value, or its <c>Uri</c> key (or <c>ShardDirectory</c>, the
/// URI of a directory whose shard map the provider follows) plus <c>Options</c> added to the query. Options go through
/// the URI so they are parsed and checked by the one code path every store already has.
/// </summary>
internal static class PadlockConfiguration
{
    internal static string ReadUri(IConfiguration configuration) => Read(configuration).Uri;

    /// <summary>The URI, and whether it names a shard directory (the <c>ShardDirectory</c> key) rather than a store.</summary>
    internal static (string Uri, bool IsShardDirectory) Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var where = configuration is IConfigurationSection s ? $"configuration section '{s.Path}'" : "the configuration";
        if (configuration is IConfigurationSection { Value: { Length: > 0 } whole }) return (whole, false);

        foreach (var child in configuration.GetChildren())
        {
            if (!child.Key.Equals("Uri", StringComparison.OrdinalIgnoreCase) && !child.Key.Equals("Options", StringComparison.OrdinalIgnoreCase)
                && !child.Key.Equals("ShardDirectory", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException(
                    $"Unknown key '{child.Key}' in {where}: allowed are Uri (the store URI), ShardDirectory (the zk:// or etcd:// directory of a shard map) and Options (store options by name).",
                    nameof(configuration));
        }
        var directory = configuration["ShardDirectory"];
        if (!string.IsNullOrWhiteSpace(directory) && !string.IsNullOrWhiteSpace(configuration["Uri"]))
            throw new ArgumentException($"Both Uri and ShardDirectory are set in {where}: give the store URI, or the directory of a shard map, not both.", nameof(configuration));
        var isDirectory = !string.IsNullOrWhiteSpace(directory);
        var uri = isDirectory ? directory : configuration["Uri"];
        if (string.IsNullOrWhiteSpace(uri))
            throw new ArgumentException(
                $"No store URI in {where}: set its Uri key (or the section itself) to a store URI, e.g. redis://host:6379 or file:///var/lock/app. Known schemes: "
                + string.Join(", ", LockProvider.KnownSchemes.Select(k => k + "://")) + ".", nameof(configuration));

        var text = new StringBuilder(uri.Trim());
        var separator = uri.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var option in configuration.GetSection("Options").GetChildren())
        {
            if (option.Value is null)
                throw new ArgumentException($"Option '{option.Key}' in {where} has no value: store options are name: value pairs.", nameof(configuration));
            text.Append(separator).Append(Uri.EscapeDataString(option.Key)).Append('=').Append(Uri.EscapeDataString(option.Value));
            separator = '&';
        }
        return (text.ToString(), isDirectory);
    }
}
