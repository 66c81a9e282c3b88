using System.Text;
using System.Text.Json;

namespace Padlock.Sharding;

/// <summary>
/// The map's document: <c>{"epoch":3,"moving":false,"tables":[{"epoch":1,"shards":{"a":"etcd://..."}}]}</c>. Written
/// and read with the JSON reader and writer directly (no reflection), so trimmed and Native AOT programs read it too.
/// </summary>
internal static class ShardMapJson
{
    public static string Write(ShardMap map)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("epoch", map.Epoch);
            json.WriteBoolean("moving", map.IsMoving);
            json.WriteStartArray("tables");
            foreach (var table in map.Tables)
            {
                json.WriteStartObject();
                json.WriteNumber("epoch", table.Epoch);
                json.WriteStartObject("shards");
                foreach (var (id, uri) in table.Shards) json.WriteString(id, uri);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static ShardMap Read(string document)
    {
        ArgumentNullException.ThrowIfNull(document);
        try
        {
            using var doc = JsonDocument.Parse(document);
            var root = doc.RootElement;
            var epoch = root.GetProperty("epoch").GetInt64();
            var moving = root.GetProperty("moving").GetBoolean();
            var tables = new List<ShardTable>();
            foreach (var t in root.GetProperty("tables").EnumerateArray())
            {
                var shards = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var s in t.GetProperty("shards").EnumerateObject()) shards[s.Name] = s.Value.GetString() ?? "";
                tables.Add(new ShardTable(t.GetProperty("epoch").GetInt64(), shards));
            }
            return new ShardMap(epoch, moving, tables);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new FormatException($"Not a Padlock shard map: {ex.Message}", ex);
        }
    }
}
