using System.Text.RegularExpressions;

namespace Downshift.Steps.Package.Internal;

internal enum ChangeAction
{
    Install,
    Change,
    Remove,
}

/// <summary>One package a simulated transaction would touch.</summary>
internal sealed record PackageChange(string Name, ChangeAction Action, string? From, string? To)
{
    public override string ToString() => Action switch
    {
        ChangeAction.Install => $"install {Name} {To}",
        ChangeAction.Remove => $"{Name} {From}".TrimEnd(),
        _ => $"{Name} {From} -> {To}",
    };
}

/// <summary>Reads what a simulated transaction would do (apt-get -s, dnf's transaction table) and decides whether the plan allows it.</summary>
internal static partial class PackageChanges
{
    /// <summary><c>apt-get -s</c> prints <c>Inst NAME [OLD] (NEW …)</c> and <c>Remv NAME [OLD]</c>, one per line.</summary>
    public static IReadOnlyList<PackageChange> ParseApt(string simulation)
    {
        var changes = new List<PackageChange>();
        foreach (var line in simulation.Split('\n'))
        {
            if (AptInstall().Match(line) is { Success: true } inst)
            {
                var from = inst.Groups["from"].Success ? inst.Groups["from"].Value : null;
                changes.Add(new(inst.Groups["name"].Value, from is null ? ChangeAction.Install : ChangeAction.Change, from, inst.Groups["to"].Value));
            }
            else if (AptRemove().Match(line) is { Success: true } remv)
            {
                changes.Add(new(remv.Groups["name"].Value, ChangeAction.Remove, remv.Groups["from"].Success ? remv.Groups["from"].Value : null, null));
            }
        }

        return changes;
    }

    /// <summary>
    /// dnf's transaction table: a section line (<c>Downgrading:</c>, <c>Installing dependencies:</c>,
    /// <c>Removing dependent packages:</c>) followed by indented <c>NAME ARCH VERSION REPO SIZE</c> rows,
    /// up to <c>Transaction Summary</c>.
    /// </summary>
    public static IReadOnlyList<PackageChange> ParseDnf(string table)
    {
        var changes = new List<PackageChange>();
        ChangeAction? section = null;
        foreach (var raw in table.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith("Transaction Summary", StringComparison.Ordinal))
            {
                break;
            }

            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                section = !line.EndsWith(':') ? null
                    : line.StartsWith("Remov", StringComparison.Ordinal) || line.StartsWith("Obsolet", StringComparison.Ordinal) ? ChangeAction.Remove
                    : line.StartsWith("Install", StringComparison.Ordinal) ? ChangeAction.Install
                    : ChangeAction.Change;
                continue;
            }

            var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (section is not { } action || cells.Length < 4 || cells[0] == "replacing")
            {
                continue;
            }

            changes.Add(action == ChangeAction.Remove
                ? new(cells[0], action, cells[2], null)
                : new(cells[0], action, null, cells[2]));
        }

        return changes;
    }

    /// <summary>Why the plan does not allow these changes, or null: every removal is refused, and every change of a package not named in allow-changes.</summary>
    public static string? Refusal(string package, IReadOnlyList<PackageChange> changes, IReadOnlyList<string> allowed)
    {
        var removals = changes.Where(c => c.Action == ChangeAction.Remove).ToList();
        var others = changes
            .Where(c => c.Action != ChangeAction.Remove && c.Name != package && !allowed.Contains(c.Name))
            .ToList();
        if (removals.Count == 0 && others.Count == 0)
        {
            return null;
        }

        var parts = new List<string>();
        if (removals.Count > 0)
        {
            parts.Add($"it would REMOVE {string.Join(", ", removals)}");
        }

        if (others.Count > 0)
        {
            parts.Add($"it would change packages not in allow-changes: {string.Join(", ", others)}");
        }

        return $"refusing to change {package}: {string.Join("; ", parts)}. Nothing was changed" +
               (others.Count > 0 ? $"; list them under allow-changes if these changes are intended" : "");
    }

    /// <summary>The changes besides the package itself, for the journal.</summary>
    public static string Others(string package, IReadOnlyList<PackageChange> changes)
    {
        var others = changes.Where(c => c.Name != package).Select(c => c.Action == ChangeAction.Remove ? $"REMOVE {c}" : c.ToString()).ToList();
        return others.Count == 0 ? "no other package changes" : $"other changes: {string.Join(", ", others)}";
    }

    [GeneratedRegex(@"^Inst (?<name>\S+) (\[(?<from>[^\]]+)\] )?\((?<to>\S+)")]
    private static partial Regex AptInstall();

    [GeneratedRegex(@"^(Remv|Purg) (?<name>\S+)( \[(?<from>[^\]]+)\])?")]
    private static partial Regex AptRemove();
}
