namespace Downshift.Steps.Package.Internal;

/// <summary>The <c>key=value</c> lines a package script prints on stdout.</summary>
internal sealed class ScriptReport(ILookup<string, string> values)
{
    public static ScriptReport Parse(string stdout) => new(
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToLookup(pair => pair[0], pair => pair[1], StringComparer.Ordinal));

    public string? One(string key) => values[key].FirstOrDefault();

    public IReadOnlyList<string> All(string key) => [.. values[key]];
}
