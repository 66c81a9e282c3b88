using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Padlock.Cli.Bench;
using Padlock.Cli.Demo;
using Padlock.Cli.Servers;
using Padlock.Cli.Shards;
using Padlock.Cli.Status;
using Padlock.Cli.Verify;

namespace Padlock.Cli.Output;

/// <summary>
/// The one JSON style of every <c>--json</c> output: camelCase, indented, nulls omitted. The types written are
/// declared to the source generator (<see cref="CliJsonContext"/>), so a Native AOT <c>padlock</c> needs no reflection.
/// </summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        TypeInfoResolver = CliJsonContext.Default,
    };

    /// <summary>Writes <paramref name="value"/>; its type must be listed on <see cref="CliJsonContext"/>.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, TypeInfo<T>());

    /// <summary>Reads a <typeparamref name="T"/>; the type must be listed on <see cref="CliJsonContext"/>.</summary>
    public static T? Deserialize<T>(string json) => JsonSerializer.Deserialize(json, TypeInfo<T>());

    private static JsonTypeInfo<T> TypeInfo<T>()
        => (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T));
}

/// <summary>Every type the CLI writes or reads as JSON, for the source generator.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(List<BenchResult>))]
[JsonSerializable(typeof(IReadOnlyList<BenchResult>))]
[JsonSerializable(typeof(List<VerifyResult>))]
[JsonSerializable(typeof(IReadOnlyList<VerifyResult>))]
[JsonSerializable(typeof(List<DemoResult>))]
[JsonSerializable(typeof(LockReport))]
[JsonSerializable(typeof(EntryReport))]
[JsonSerializable(typeof(List<ServerGroup>))]
[JsonSerializable(typeof(List<Commands.ServersCommand.ServerStatusRow>))]
[JsonSerializable(typeof(List<ServerRecord>))]
[JsonSerializable(typeof(ShardsMapReport))]
[JsonSerializable(typeof(ShardsPlanReport))]
[JsonSerializable(typeof(ShardsStatusReport))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
