using Downshift.Databases;
using Downshift.Fingerprints;
using Downshift.Steps.Internal;

namespace Downshift.Plans.Internal;

/// <summary>Reads the plan's <c>fingerprint:</c> mapping into a <see cref="FingerprintSpec"/>, every problem at its key.</summary>
internal static class PlanFingerprintReader
{
    public static FingerprintSpec? Read(YamlMap root)
    {
        var map = root.Map("fingerprint");
        if (map is null)
        {
            return null;
        }

        map.ReportUnknownKeys(PlanKeys.Fingerprint, "'fingerprint'");
        var spec = new FingerprintSpec
        {
            Paths = map.StringList("paths") ?? [],
            SuidDirectories = map.StringList("suid-dirs") ?? [],
            Services = map.StringList("services") ?? [],
            Databases = Databases(map),
            ExpectedDifferences = Expected(map),
        };
        // Invalid database targets were reported where they were read and are not in the spec.
        foreach (var problem in spec.Validate())
        {
            map.Error(problem.Key, $"'{problem.Key}': {problem.Message}");
        }

        return spec;
    }

    /// <summary>Each item a <c>database:</c> map as the backup and migrate steps take it; a problem with one target was reported by <see cref="DatabaseTargetReader"/>.</summary>
    private static List<DatabaseTarget> Databases(YamlMap map)
    {
        var targets = new List<DatabaseTarget>();
        var items = map.MapList("databases", DatabaseTargetReader.Keys) ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            if (DatabaseTargetReader.FromMap(items[i], $"databases[{i}]", message => map.Error("databases", message)) is { } target)
            {
                targets.Add(target);
            }
        }

        return targets;
    }

    private static List<ExpectedDifference> Expected(YamlMap map)
    {
        var expected = new List<ExpectedDifference>();
        var items = map.MapList("expect-differences", PlanKeys.ExpectDifference) ?? [];
        for (var i = 0; i < items.Count; i++)
        {
            var what = items[i].GetValueOrDefault("what")?.Text;
            var reason = items[i].GetValueOrDefault("reason")?.Text ?? "";
            if (what is null)
            {
                map.Error("expect-differences", $"'expect-differences[{i}]' needs 'what' (SECTION:GLOB, e.g. files:/var/log/**)");
            }
            else if (ExpectedDifference.TryParse(what, reason, out var declared, out var problem))
            {
                expected.Add(declared);
            }
            else
            {
                map.Error("expect-differences", $"'expect-differences[{i}]': {problem}");
            }
        }

        return expected;
    }
}
