using Downshift.Engine;
using Downshift.Plans;
using Downshift.Steps;
using Spectre.Console;

namespace Downshift.Cli;

/// <summary>
/// Live progress as one line per event, prefixed with the time and the host so it can be grepped
/// and read in a scroll-back at 2 a.m.
/// </summary>
internal sealed class ProgressObserver(ConsoleUi ui, TimeProvider time) : IRunObserver
{
    private readonly Lock gate = new();

    public void StepStarted(string host, PlanStep step, string description) =>
        Write($"{Now()} [grey]{Esc(host)}[/] [blue]▶[/] {Esc(step.Phase)}/{Esc(step.Id)}  {Esc(description)}");

    public void StepFinished(string host, PlanStep step, StepOutcome outcome, TimeSpan duration) =>
        Write($"{Now()} [grey]{Esc(host)}[/] {Mark(outcome)} {Esc(step.Phase)}/{Esc(step.Id)}  {Word(outcome)} {Seconds(duration)}" +
              (outcome.Result == StepResult.Failed ? $"\n           [red]{Esc(outcome.Detail ?? "")}[/]" : ""));

    public void StepRetrying(string host, PlanStep step, StepOutcome outcome, int attempt) =>
        Write($"{Now()} [grey]{Esc(host)}[/] [yellow]↻[/] {Esc(step.Phase)}/{Esc(step.Id)}  retry {attempt}: {Esc(outcome.Detail ?? "")}");

    public void RollbackStarted(string host, string reason) =>
        Write($"{Now()} [grey]{Esc(host)}[/] [yellow bold]⟲ ROLLBACK[/] {Esc(reason)}");

    public void UndoFinished(string host, PlanStep step, StepOutcome outcome, TimeSpan duration) =>
        Write($"{Now()} [grey]{Esc(host)}[/] {Mark(outcome)} undo {Esc(step.Phase)}/{Esc(step.Id)}  {Word(outcome)} {Seconds(duration)}" +
              (outcome.Detail is { Length: > 0 } detail ? $"  [grey]{Esc(detail)}[/]" : ""));

    public void Message(string? host, string text) =>
        Write($"{Now()} [grey]{Esc(host ?? "-")}[/]   {Esc(text)}");

    private void Write(string markup)
    {
        lock (gate)
        {
            ui.Line(markup);
        }
    }

    private string Now() => $"[grey]{time.GetLocalNow():HH:mm:ss}[/]";

    private static string Mark(StepOutcome outcome) => outcome.Result switch
    {
        StepResult.Succeeded => "[green]✓[/]",
        StepResult.Skipped => "[grey]–[/]",
        _ => "[red]✗[/]",
    };

    private static string Word(StepOutcome outcome) => outcome.Result switch
    {
        StepResult.Succeeded => "[green]ok[/]",
        StepResult.Skipped => $"[grey]skipped ({Esc(outcome.Detail ?? "")})[/]",
        _ => "[red]FAILED[/]",
    };

    private static string Seconds(TimeSpan duration) => $"[grey]{duration.TotalSeconds:0.00}s[/]";

    private static string Esc(string text) => Markup.Escape(text);
}
