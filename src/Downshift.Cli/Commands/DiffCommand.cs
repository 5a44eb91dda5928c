using System.CommandLine;
using System.Text.Json;
using Downshift.Fingerprints;

namespace Downshift.Cli.Commands;

/// <summary>
/// <c>downshift diff A B [--expect SECTION:GLOB=REASON]… [--plan PLAN]</c>: every difference between two
/// fingerprints, one grep-able line each, grouped by section; exit 0 when every difference was
/// expected (declared with a reason), 1 when any was not.
/// </summary>
internal static class DiffCommand
{
    /// <summary>One line of JSON, with the same (unescaped) text as the fingerprints.</summary>
    private static readonly JsonSerializerOptions Compact = new(FingerprintJson.Options) { WriteIndented = false };

    public static Command Create(CliOptions options)
    {
        var before = new Argument<string>("before") { Description = "A fingerprint (JSON from 'downshift fingerprint'): before, or the reference host." };
        var after = new Argument<string>("after") { Description = "A fingerprint: after, or the host compared with the reference." };
        var expect = new Option<string[]>("--expect") { Description = "An expected difference: SECTION:GLOB=REASON, e.g. 'files:/var/log/**=logs grow' (repeatable).", AllowMultipleArgumentsPerToken = false };
        var plan = new Option<string?>("--plan") { Description = "Also expect the differences the plan declares (fingerprint.expect-differences)." };
        var command = new Command("diff", "Show every difference between two fingerprints, each expected (declared, with the reason) or unexpected. Exit 0: none unexpected; 1: some unexpected.")
        {
            before, after, expect, plan, options.Vars,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var expected = Expected(parse.GetValue(expect) ?? [], ui);
            if (expected is not null && parse.GetValue(plan) is { } planPath)
            {
                var loaded = await PlanInput.LoadAsync(planPath, options, parse, ui, cancellationToken);
                expected = loaded is null ? null : [.. (loaded.Fingerprint?.ExpectedDifferences ?? []), .. expected];
            }

            if (expected is null)
            {
                return ExitCodes.InvalidInput;
            }

            var a = await FingerprintJson.ReadFileAsync(parse.GetValue(before)!, cancellationToken);
            var b = await FingerprintJson.ReadFileAsync(parse.GetValue(after)!, cancellationToken);
            var comparison = FingerprintDiff.Compare(a, b, expected);
            foreach (var line in comparison.Differences.Select(d => d.ToString()).Concat(comparison.Notes.Select(n => $"note: {n}")))
            {
                ui.Plain(line);
            }

            var unexpected = comparison.Unexpected.Count;
            ui.Plain($"{a.Host} ({a.TakenAt:u}) -> {b.Host} ({b.TakenAt:u}): {comparison.Differences.Count} difference{(comparison.Differences.Count == 1 ? "" : "s")}, " +
                     $"{unexpected} unexpected, {comparison.Differences.Count - unexpected} expected");
            if (ui.Json)
            {
                ui.Data(JsonSerializer.Serialize(Json(a, b, comparison), Compact));
            }

            return comparison.HasUnexpected ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The --expect values; null (after saying what is wrong) when one is malformed.</summary>
    private static List<ExpectedDifference>? Expected(string[] values, ConsoleUi ui)
    {
        var expected = new List<ExpectedDifference>();
        foreach (var value in values)
        {
            var at = value.IndexOf('=', StringComparison.Ordinal);
            if (at < 0)
            {
                ui.Fail($"--expect '{value}' must be SECTION:GLOB=REASON (expected differences are declared with their reason)");
                return null;
            }

            if (!ExpectedDifference.TryParse(value[..at], value[(at + 1)..], out var declared, out var problem))
            {
                ui.Fail($"--expect: {problem}");
                return null;
            }

            expected.Add(declared);
        }

        return expected;
    }

    private static object Json(HostFingerprint before, HostFingerprint after, FingerprintComparison comparison) => new
    {
        before = new { host = before.Host, takenAt = before.TakenAt },
        after = new { host = after.Host, takenAt = after.TakenAt },
        unexpected = comparison.Unexpected.Count,
        expected = comparison.Differences.Count - comparison.Unexpected.Count,
        differences = FingerprintJson.Differences(comparison),
        notes = comparison.Notes,
    };
}
