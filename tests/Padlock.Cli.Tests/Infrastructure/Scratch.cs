namespace Padlock.Cli.Tests.Infrastructure;

/// <summary>A temporary directory deleted after the test.</summary>
public sealed class Scratch : IDisposable
{
    public Scratch()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "padlock-cli-tests", Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
