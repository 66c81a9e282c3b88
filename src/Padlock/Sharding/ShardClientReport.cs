using System.Text;
using System.Text.Json;

namespace Padlock.Sharding;

/// <summary>
/// What a client following a directory map reports in its registration: the oldest epoch it may still grant or hold
/// under (0 before it has read the map), and who it is. A change moves on only once every client reports the epoch
/// it is waiting for.
/// </summary>
/// <param name="ClientId">The registration's id.</param>
/// <param name="Epoch">The oldest epoch the client may grant or hold under.</param>
/// <param name="Owner">The client's owner description (host/pid by default).</param>
public sealed record ShardClientReport(string ClientId, long Epoch, string Owner)
{
    internal string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("epoch", Epoch);
            json.WriteString("owner", Owner);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a registration; an unreadable one counts as epoch 0 (not following), so no change passes it by.</summary>
    internal static ShardClientReport Parse(string clientId, string value)
    {
        try
        {
            using var doc = JsonDocument.Parse(value);
            var root = doc.RootElement;
            return new(clientId, root.GetProperty("epoch").GetInt64(), root.TryGetProperty("owner", out var o) ? o.GetString() ?? "" : "");
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return new(clientId, 0, "(unreadable registration)");
        }
    }
}
