using Downshift.Hosts;

namespace Downshift.Steps.Shell;

internal sealed class ShellExecutor(ShellOptions options) : IStepExecutor
{
    public string Describe() => $"shell: {options.Command}";

    public string? DescribeUndo() => null;

    public Task<CheckResult> CheckAsync(StepContext context, CancellationToken cancellationToken) =>
        Task.FromResult(CheckResult.Unknown);

    public Task<UndoData> PrepareAsync(StepContext context, CancellationToken cancellationToken) =>
        Task.FromResult(UndoData.Empty);

    public async Task<StepOutcome> ExecuteAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken)
    {
        var result = await context.Host.RunAsync(
            new HostCommand(context.Expand(options.Command)) { Timeout = context.Step.Timeout, Environment = options.Environment },
            cancellationToken);
        // The output is in the journal's command record already; a failure repeats its tail for the terminal.
        return result.Succeeded
            ? StepOutcome.Succeeded()
            : StepOutcome.Failed($"exit {result.ExitCode}: {Excerpt(result.Output)}");
    }

    public Task<StepOutcome> UndoAsync(StepContext context, UndoData prepared, CancellationToken cancellationToken) =>
        Task.FromResult(StepOutcome.Skipped("a shell step's undo is the command declared in the plan"));

    private static string Excerpt(string output)
    {
        var trimmed = output.Trim();
        return trimmed.Length <= 300 ? trimmed : "…" + trimmed[^300..];
    }
}
