using System.Text.Json;
using Padlock.Cli.Output;

namespace Padlock.Cli.Servers;

/// <summary>
/// The state file (<c>servers.json</c>) in the state directory: what was started, so <c>stop</c> ends exactly those
/// processes. Default directory: <c>$TMPDIR/padlock-servers</c>.
/// </summary>
internal sealed class ServerState(string directory)
{
    public static string DefaultDirectory => Path.Combine(Path.GetTempPath(), "padlock-servers");

    public string Directory { get; } = Path.GetFullPath(directory);

    private string FilePath => Path.Combine(Directory, "servers.json");

    public List<ServerRecord> Load()
    {
        if (!File.Exists(FilePath)) return [];
        try
        {
            return Json.Deserialize<List<ServerRecord>>(File.ReadAllText(FilePath)) ?? [];
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"the state file {FilePath} is not readable ({ex.Message}); delete it after stopping its servers by hand");
        }
    }

    public void Save(IReadOnlyList<ServerRecord> records)
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (records.Count == 0)
        {
            File.Delete(FilePath);
            return;
        }
        var temp = FilePath + ".tmp";
        File.WriteAllText(temp, Json.Serialize(records.ToList()));
        File.Move(temp, FilePath, overwrite: true);
    }

    public string NewDataDirectory(string kind, int index)
    {
        var dir = Path.Combine(Directory, "data", $"{kind}-{index}-{Guid.NewGuid():N}"[..(kind.Length + 11)]);
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }
}
