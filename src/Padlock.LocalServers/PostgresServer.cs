using System.Diagnostics;
using System.Globalization;

namespace Padlock.LocalServers;

/// <summary>
/// A PostgreSQL server (Debian's <c>postgresql</c>, found under <c>/usr/lib/postgresql/*/bin</c>) on a free loopback
/// port with a fresh data directory made by <c>initdb</c>; trust authentication, TCP on 127.0.0.1 only, no Unix socket.
/// initdb and the server refuse to run as root, so when this process is root they run as the unprivileged system user
/// <see cref="UnprivilegedUser"/> (created with useradd when missing; scripts/servers.sh creates it too).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The system user the server runs as when the caller is root.</summary>
    public const string UnprivilegedUser = "padlock-pg";

    private PostgresServer(int port, ServerProcess process)
    {
        Port = port;
        Process = process;
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>"127.0.0.1:port".</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>The superuser's store URI on the default database: <c>postgres://127.0.0.1:PORT/postgres?user=postgres</c>.</summary>
    public string Uri => $"postgres://127.0.0.1:{Port}/postgres?user=postgres";

    /// <summary>An Npgsql connection string for the superuser on the default database.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    /// <summary>The postmaster process, to stop, restart, kill or pause it in failure tests.</summary>
    public ServerProcess Process { get; }

    /// <summary>Initialises a data directory, starts the server and waits until <c>pg_isready</c> says it accepts connections.</summary>
    /// <param name="maxConnections">The server's <c>max_connections</c> (each waiting or held lock uses one). Default 300.</param>
    public static async Task<PostgresServer> StartAsync(int maxConnections = 300)
    {
        var port = FreePort.Next();
        var dir = ServerProcess.NewDataDirectory("pg");
        var command = await PrepareAsync(dir, port, maxConnections);
        string[] args = [.. command.Skip(1)];
        var process = new ServerProcess($"postgres 127.0.0.1:{port}", command[0], args, dir, ct => IsReadyAsync(port, ct));
        try
        {
            await process.StartAsync();
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        return new PostgresServer(port, process);
    }

    /// <summary>
    /// Stops the server with a fast shutdown (SIGINT: sessions are ended, their advisory locks freed, committed data
    /// checkpointed), as an operator's restart would; <see cref="ServerProcess.KillAsync"/> is the crash instead.
    /// </summary>
    public async Task StopAsync()
    {
        if (Process.ProcessId is { } pid) Posix.Interrupt(pid);
        await Process.StopAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts the server again on the same port and data (after <see cref="StopAsync"/> or a kill).</summary>
    public Task StartAgainAsync() => Process.StartAsync();

    /// <summary>Runs <c>psql</c> with one command as the superuser and returns its unaligned, tuples-only output.</summary>
    public async Task<string> PsqlAsync(string sql)
    {
        var psql = Path.Combine(BinDirectory(), "psql");
        var output = new List<string>();
        var code = await RunAsync(psql, ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
            null, CancellationToken.None, throwOnError: true, output);
        return code == 0 ? string.Join('\n', output) : "";
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Process.DisposeAsync();

    /// <summary>
    /// Makes a data directory under <paramref name="directory"/> with <c>initdb</c> (as <see cref="UnprivilegedUser"/>
    /// when this process is root) and returns the command line that serves it on 127.0.0.1:<paramref name="port"/>:
    /// the program first, then its arguments (under root, <c>setpriv</c>, which execs the postmaster).
    /// </summary>
    public static async Task<IReadOnlyList<string>> PrepareAsync(string directory, int port, int maxConnections = 300)
    {
        var bin = BinDirectory();
        var data = Path.Combine(directory, "data");
        var asUser = Environment.UserName == "root" ? await EnsureUserAsync() : null;
        if (asUser is not null) await RunAsync("chown", [asUser, directory]);
        await RunAsync(Wrap(asUser, Path.Combine(bin, "initdb")),
            [.. WrapArgs(asUser, Path.Combine(bin, "initdb")), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"], directory);
        return
        [
            Wrap(asUser, Path.Combine(bin, "postgres")),
            .. WrapArgs(asUser, Path.Combine(bin, "postgres")),
            "-D", data, "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            "-c", "max_connections=" + maxConnections.ToString(CultureInfo.InvariantCulture),
            "-c", "shared_buffers=32MB", "-c", "logging_collector=off",
        ];
    }

    /// <summary>True when the server on 127.0.0.1:<paramref name="port"/> accepts connections (<c>pg_isready</c>).</summary>
    public static async Task<bool> IsReadyAsync(int port, CancellationToken cancellationToken)
        => await RunAsync(Path.Combine(BinDirectory(), "pg_isready"), ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", "postgres"], null, cancellationToken, throwOnError: false) == 0;

    /// <summary>The bin directory of the newest installed PostgreSQL major version.</summary>
    /// <exception cref="InvalidOperationException">PostgreSQL is not installed (the message says how to install it).</exception>
    public static string BinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Where(d => File.Exists(Path.Combine(d, "bin", "postgres")) && int.TryParse(Path.GetFileName(d), out _))
                .OrderByDescending(d => int.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture))
                .FirstOrDefault()
            : null;
        return found is null
            ? throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/postgres). Run 'scripts/servers.sh install' (Debian package postgresql).")
            : Path.Combine(found, "bin");
    }

    // setpriv execs the program, so the child process is the postmaster itself: signals and kills reach it directly.
    private static string Wrap(string? user, string program) => user is null ? program : "/usr/bin/setpriv";

    private static string[] WrapArgs(string? user, string program)
        => user is null ? [] : [$"--reuid={user}", $"--regid={user}", "--clear-groups", "--", program];

    private static async Task<string> EnsureUserAsync()
    {
        if (await RunAsync("id", ["-u", UnprivilegedUser], null, CancellationToken.None, throwOnError: false) != 0)
            await RunAsync("useradd", ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", UnprivilegedUser]);
        return UnprivilegedUser;
    }

    private static Task RunAsync(string program, string[] args, string? workingDirectory = null)
        => RunAsync(program, args, workingDirectory, CancellationToken.None, throwOnError: true);

    private static async Task<int> RunAsync(string program, string[] args, string? workingDirectory, CancellationToken ct, bool throwOnError, List<string>? stdout = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "/",
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync(ct);
        var errors = p.StandardError.ReadToEndAsync(ct);
        try
        {
            await p.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            try { p.Kill(); } catch (InvalidOperationException) { }
            throw;
        }
        var text = await output;
        stdout?.AddRange(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        if (p.ExitCode != 0 && throwOnError)
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args)} failed ({p.ExitCode}): {await errors}{text}");
        return p.ExitCode;
    }
}
