namespace Downshift.Steps.Config;

/// <summary>Options of a <c>config</c> step: the edits to make to one config file on the host.</summary>
public sealed record ConfigOptions : StepOptions
{
    public required string Path { get; init; }

    public required ConfigFormat Format { get; init; }

    /// <summary>Keys to set, in plan order. For ini, <c>section.key</c>; for yaml and json, dotted paths.</summary>
    public IReadOnlyDictionary<string, ScalarValue> Set { get; init; } = new Dictionary<string, ScalarValue>();

    /// <summary>Old key to new key. Renaming a missing key is a no-op; renaming onto an existing key is an error.</summary>
    public IReadOnlyDictionary<string, string> Rename { get; init; } = new Dictionary<string, string>();

    /// <summary>Keys to remove; a missing key is a no-op.</summary>
    public IReadOnlyList<string> Remove { get; init; } = [];

    /// <summary>When a package left its new default (<c>.dpkg-dist</c>, <c>.rpmnew</c>), edit that instead of the admin's file.</summary>
    public bool PackageDefault { get; init; }

    /// <summary>With <see cref="PackageDefault"/>: keys whose values are copied from the admin's file into the package default.</summary>
    public IReadOnlyList<string> Carry { get; init; } = [];
}
