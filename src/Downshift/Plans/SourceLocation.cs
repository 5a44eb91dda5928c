namespace Downshift.Plans;

/// <summary>Where a value stands in a plan file: 1-based line and column, and its YAML path.</summary>
public sealed record SourceLocation(string File, int Line, int Column, string YamlPath)
{
    public static readonly SourceLocation None = new("", 0, 0, "");

    public override string ToString() => $"{File}:{Line}:{Column}";
}
