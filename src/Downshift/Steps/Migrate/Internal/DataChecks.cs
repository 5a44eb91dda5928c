using Downshift.Databases;

namespace Downshift.Steps.Migrate.Internal;

/// <summary>Runs a migrate step's data checks (E5) and compares their values before and after.</summary>
internal static class DataChecks
{
    /// <summary>Each check's value now: the first column of the first row (<c>(no row)</c> when none, <c>NULL</c> for SQL NULL).</summary>
    public static async Task<IReadOnlyList<string>> ReadAsync(IDatabase database, IReadOnlyList<DataCheck> checks, CancellationToken cancellationToken)
    {
        var values = new List<string>();
        foreach (var check in checks)
        {
            var rows = await database.QueryAsync(check.Sql, cancellationToken);
            values.Add(rows.Count == 0 ? "(no row)" : rows[0].Count == 0 ? "(no column)" : rows[0][0] ?? "NULL");
        }

        return values;
    }

    /// <summary>The checks whose literal expectation does not hold for <paramref name="values"/>, one line each.</summary>
    public static IReadOnlyList<string> Unmet(IReadOnlyList<DataCheck> checks, IReadOnlyList<string> values, string when) =>
        [.. checks.Zip(values)
            .Where(p => p.First.Expect != DataCheck.Same && p.First.Expect != p.Second)
            .Select(p => $"'{p.First.Name}' is {p.Second} {when}, expected {p.First.Expect}")];

    /// <summary>The <c>same</c> checks whose value changed, one line each.</summary>
    public static IReadOnlyList<string> Changed(IReadOnlyList<DataCheck> checks, IReadOnlyList<string> before, IReadOnlyList<string> after) =>
        [.. checks.Select((check, i) => (check, i))
            .Where(p => p.check.Expect == DataCheck.Same && p.i < before.Count && p.i < after.Count && before[p.i] != after[p.i])
            .Select(p => $"'{p.check.Name}' was {before[p.i]} before, {after[p.i]} after")];

    /// <summary>One line: every check with its value(s).</summary>
    public static string Describe(IReadOnlyList<DataCheck> checks, IReadOnlyList<string> before, IReadOnlyList<string> after) =>
        string.Join("; ", checks.Select((check, i) => check.Expect == DataCheck.Same
            ? $"{check.Name}: {Value(before, i)} = {Value(after, i)}"
            : $"{check.Name}: {Value(after, i)} (expected {check.Expect})"));

    private static string Value(IReadOnlyList<string> values, int i) => i < values.Count ? values[i] : "?";
}
