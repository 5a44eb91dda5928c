using System.CommandLine;
using Downshift.Steps;

namespace Downshift.Cli.Commands;

/// <summary>
/// <c>downshift resume RUN</c>: continue a run whose CLI died (even kill -9) from the journal. A step
/// that was in flight is judged by its check, never blindly re-run.
/// </summary>
internal static class ResumeCommand
{
    public static Command Create(CliOptions options)
    {
        var run = new Argument<string>("run") { Description = "The run id (see 'downshift runs')." };
        var assumeDone = new Option<string[]>("--assume-done") { Description = "Step id that was in flight and that you checked took effect." };
        var assumeNotDone = new Option<string[]>("--assume-not-done") { Description = "Step id that was in flight and that you checked did not take effect." };
        var command = new Command("resume", $"Continue a stopped run from its journal. {ExitCodes.HelpText}") { run, assumeDone, assumeNotDone };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var ui = options.Ui(parse);
            var assumptions = new Dictionary<string, CheckResult>(StringComparer.Ordinal);
            foreach (var id in parse.GetValue(assumeDone) ?? [])
            {
                assumptions[id] = CheckResult.Done;
            }

            foreach (var id in parse.GetValue(assumeNotDone) ?? [])
            {
                assumptions[id] = CheckResult.NotDone;
            }

            return await RunSession.ExecuteAsync(parse, options, ui, (engine, control) => engine.ResumeAsync(parse.GetValue(run)!, assumptions, control));
        });
        return command;
    }
}
