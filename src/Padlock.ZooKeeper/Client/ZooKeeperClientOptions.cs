namespace Padlock.ZooKeeper.Client;

/// <summary>How a <see cref="ZooKeeperClient"/> connects. Validated by <see cref="Validate"/>.</summary>
internal sealed record ZooKeeperClientOptions
{
    /// <summary><c>host:port[,host:port...][/chroot]</c>.</summary>
    public required string ConnectString { get; init; }

    /// <summary>The session timeout asked for; the server clamps it (by default to 2 to 20 ticks, 4 s to 40 s).</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the first connection may take, all servers tried; also bounds each reconnect attempt.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a request may wait for its reply (including waiting for a reconnect) before it fails.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Digest credentials ("user:password") sent after every (re)connect.</summary>
    public IReadOnlyList<string> DigestAuth { get; init; } = [];

    /// <summary>TLS to every server (their secure client port), or null for plain TCP.</summary>
    public Padlock.Stores.TlsFiles? Tls { get; init; }

    /// <summary>The largest frame accepted from a server: jute.maxbuffer (1 MiB) plus room for headers.</summary>
    public int MaxFrameLength { get; init; } = 0xfffff + 1024;

    /// <summary>The clock of the client's timeouts, pings and silence measures. Default the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Resume this session instead of creating one (tests use it to close a session from a second client).</summary>
    public (long Id, byte[] Password)? ResumeSession { get; init; }

    public void Validate()
    {
        Check(SessionTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10), nameof(SessionTimeout));
        Check(ConnectTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10), nameof(ConnectTimeout));
        Check(RequestTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10), nameof(RequestTimeout));
        if (MaxFrameLength < 1024) throw new ArgumentOutOfRangeException(nameof(MaxFrameLength), MaxFrameLength, "The maximum frame length must be at least 1024 bytes.");
        foreach (var auth in DigestAuth)
        {
            if (auth is null || auth.IndexOf(':', StringComparison.Ordinal) <= 0)
                throw new ArgumentException("Digest credentials must have the form user:password.", nameof(DigestAuth));
        }
    }

    private static void Check(TimeSpan value, TimeSpan min, TimeSpan max, string name)
    {
        if (value < min || value > max)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {Durations.Format(min)} and {Durations.Format(max)}.");
    }
}
