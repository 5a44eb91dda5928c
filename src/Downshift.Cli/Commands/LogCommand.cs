using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift log RUN</c>: the operation log (E7), one greppable line per record.</summary>
internal static class LogCommand
{
    public static Command Create(CliOptions options)
    {
        var run = new Argument<string>("run") { Description = "The run id." };
        var command = new Command("log", "Print a run's operation log: time, operator, host, step, event, command, exit code, duration, result.") { run };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            await using var journal = await options.OpenJournalAsync(parse, cancellationToken);
            var id = parse.GetValue(run)!;
            if (await RunLookup.FindAsync(journal, id, ui, cancellationToken) is null)
            {
                return ExitCodes.InvalidInput;
            }

            foreach (var r in await journal.ReadAsync(id, cancellationToken))
            {
                if (ui.Json)
                {
                    // One JSON object per line, keyed as the other --json outputs, the event by name as in the text lines.
                    ui.Data(JsonSerializer.Serialize(new
                    {
                        sequence = r.Sequence,
                        run = r.RunId,
                        time = r.Time,
                        @operator = r.Operator,
                        host = r.Host,
                        phase = r.Phase,
                        step = r.StepId,
                        stepIndex = r.StepIndex,
                        @event = r.Event.ToString(),
                        command = r.Command,
                        exitCode = r.ExitCode,
                        durationMs = r.Duration is { } duration ? Math.Round(duration.TotalMilliseconds, 1) : (double?)null,
                        result = r.Result,
                        output = r.Output,
                        data = r.Data,
                    }));
                    continue;
                }

                var fields = new[]
                {
                    r.Sequence.ToString(CultureInfo.InvariantCulture),
                    r.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                    r.Operator,
                    r.Host ?? "-",
                    r.StepId is null ? "-" : $"{r.Phase}/{r.StepId}",
                    r.Event.ToString(),
                    r.Command is null ? "" : $"cmd={Flat(r.Command)}",
                    r.ExitCode is { } exit ? $"exit={exit}" : "",
                    r.Duration is { } d ? $"{d.TotalMilliseconds:0}ms" : "",
                    r.Result is null ? "" : Flat(r.Result),
                };
                ui.Plain(string.Join("  ", fields.Where(f => f.Length > 0)));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string Flat(string text)
    {
        var line = text.ReplaceLineEndings(" ⏎ ").Trim();
        return line.Length <= 240 ? line : line[..240] + "…";
    }
}
