namespace Downshift.Steps.File;

/// <summary>Options of a <c>file</c> step: what to put at <see cref="Path"/> on the host.</summary>
public sealed record FileOptions : StepOptions
{
    /// <summary>Destination on the host (absolute).</summary>
    public required string Path { get; init; }

    /// <summary>A file or directory on the controller, relative to the plan's directory; or null with <see cref="Content"/>.</summary>
    public string? Source { get; init; }

    /// <summary>The file's text; or null with <see cref="Source"/>.</summary>
    public string? Content { get; init; }

    /// <summary>Octal mode such as <c>0644</c> (for a directory: of its top). Null keeps a replaced file's mode.</summary>
    public string? Mode { get; init; }

    /// <summary><c>user:group</c> (for a directory: recursively). Null keeps a replaced file's owner.</summary>
    public string? Owner { get; init; }
}
