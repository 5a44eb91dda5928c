namespace Downshift.Steps.Migrate.Internal;

/// <summary>The V and U scripts of a directory on the controller, and the path between two schema states.</summary>
internal sealed class MigrationSet(string directory, IReadOnlyList<MigrationScript> scripts)
{
    public string Directory { get; } = directory;

    public IReadOnlyList<MigrationScript> Scripts { get; } = scripts;

    public static async Task<MigrationSet> LoadAsync(string directory, CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw DownshiftException.InvalidState($"the migration scripts' directory {directory} does not exist");
        }

        var scripts = new List<MigrationScript>();
        foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*.sql").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (MigrationScript.ParseName(name) is null)
            {
                continue;
            }

            var config = System.IO.File.Exists(path + ".conf") ? await System.IO.File.ReadAllTextAsync(path + ".conf", cancellationToken) : null;
            scripts.Add(MigrationScript.Create(name, await System.IO.File.ReadAllTextAsync(path, cancellationToken), config));
        }

        var duplicates = scripts.GroupBy(s => (s.IsUndo, s.Version)).Where(g => g.Count() > 1).ToList();
        if (duplicates.Count > 0)
        {
            throw DownshiftException.InvalidState(
                $"{directory}: more than one script for the same version: " +
                string.Join("; ", duplicates.Select(g => string.Join(", ", g.Select(s => s.FileName)))));
        }

        return new MigrationSet(directory, scripts);
    }

    public MigrationScript? Up(SchemaVersion version) => Scripts.FirstOrDefault(s => !s.IsUndo && s.Version.Equals(version));

    public MigrationScript? Undo(SchemaVersion version) => Scripts.FirstOrDefault(s => s.IsUndo && s.Version.Equals(version));

    /// <summary>
    /// The scripts that take the schema from <paramref name="applied"/> to <paramref name="target"/>:
    /// the undo script of every applied version above the target, newest first; or the up script of
    /// every known version up to the target that is not applied, oldest first. Throws, naming every
    /// missing script, when the path cannot be walked.
    /// </summary>
    public IReadOnlyList<MigrationScript> PathTo(IReadOnlyCollection<SchemaVersion> applied, SchemaVersion target)
    {
        var down = applied.Where(v => v > target).OrderDescending().ToList();
        var missing = new List<string>();
        var path = new List<MigrationScript>();
        foreach (var version in down)
        {
            if (Undo(version) is { } script)
            {
                path.Add(script);
            }
            else
            {
                missing.Add($"U{version.ToString().Replace('.', '_')}__*.sql (the undo of {version})");
            }
        }

        if (down.Count == 0)
        {
            var known = Scripts.Where(s => !s.IsUndo && s.Version <= target && !applied.Contains(s.Version)).OrderBy(s => s.Version);
            path.AddRange(known);
            if (!applied.Contains(target) && Up(target) is null)
            {
                missing.Add($"V{target.ToString().Replace('.', '_')}__*.sql (version {target} itself)");
            }
        }

        return missing.Count == 0
            ? path
            : throw DownshiftException.InvalidState($"{Directory} has no script for: {string.Join("; ", missing)}");
    }
}
