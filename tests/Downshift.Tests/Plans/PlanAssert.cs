using Downshift.Plans;

namespace Downshift.Tests.Plans;

/// <summary>Assertions on a plan's errors.</summary>
internal static class PlanAssert
{
    /// <summary>Exactly one error contains <paramref name="message"/>, and it is at <paramref name="at"/> of <paramref name="file"/> with YAML path <paramref name="path"/>.</summary>
    public static void Error(IReadOnlyList<PlanError> errors, string file, (int Line, int Column) at, string path, string message)
    {
        var matching = errors.Where(e => e.Message.Contains(message, StringComparison.Ordinal)).ToList();
        Assert.True(matching.Count == 1, $"expected one error containing \"{message}\", found {matching.Count} among:\n{string.Join("\n", errors)}");
        Assert.Equal(new SourceLocation(file, at.Line, at.Column, path), matching[0].Location);
    }
}
