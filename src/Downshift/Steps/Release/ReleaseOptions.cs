namespace Downshift.Steps.Release;

/// <summary>Options of a <c>release</c> step: unpack an archive as <c>ROOT/releases/VERSION</c> and point <c>ROOT/current</c> at it.</summary>
public sealed record ReleaseOptions : StepOptions
{
    /// <summary>The <c>.tar.gz</c> on the controller, relative to the plan's directory.</summary>
    public required string Archive { get; init; }

    /// <summary>Directory on the host holding <c>releases/</c> and the <c>current</c> symlink.</summary>
    public required string Root { get; init; }

    public required string Version { get; init; }

    public int StripComponents { get; init; }
}
