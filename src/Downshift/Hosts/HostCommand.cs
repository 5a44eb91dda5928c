namespace Downshift.Hosts;

/// <summary>
/// A script for <c>bash</c> on a host. <see cref="Display"/> is what the journal shows (set it when the
/// script carries file contents or secrets); stdin is optional and binary-safe.
/// </summary>
public sealed record HostCommand(string Script)
{
    public string? Display { get; init; }

    public ReadOnlyMemory<byte>? Stdin { get; init; }

    /// <summary>
    /// Streams the command's stdout into this stream instead of keeping it in
    /// <see cref="CommandResult.Stdout"/> (which is then empty): for archives and dumps that do not
    /// belong in memory. The caller owns the stream; the transport neither seeks nor closes it.
    /// </summary>
    public Stream? StdoutTo { get; init; }

    /// <summary>Streams this into the command's stdin (read to its end, then stdin is closed); wins over <see cref="Stdin"/>.</summary>
    public Stream? StdinFrom { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>False for the transport's own housekeeping (reads of state) that the operation log need not show.</summary>
    public bool Journaled { get; init; } = true;

    public string DisplayText => Display ?? Script;
}

/// <summary>What a command did. Stdout is kept as bytes (files are read through it).</summary>
public sealed record CommandResult(int ExitCode, byte[] Stdout, string Stderr, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0;

    public string StdoutText => System.Text.Encoding.UTF8.GetString(Stdout);

    /// <summary>Stdout and stderr together, for messages.</summary>
    public string Output => string.IsNullOrEmpty(Stderr) ? StdoutText : $"{StdoutText}{Stderr}";
}
