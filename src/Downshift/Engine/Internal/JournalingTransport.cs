using Downshift.Hosts;
using Downshift.Journal;
using Downshift.Plans;

namespace Downshift.Engine.Internal;

/// <summary>
/// Wraps a host's transport so that every command a step runs lands in the operation log (E7) with
/// its exit code, output excerpt and duration.
/// </summary>
internal sealed class JournalingTransport(IHostTransport inner, RunRecorder recorder, PlanStep? step) : IHostTransport
{
    public string HostName => inner.HostName;

    public async Task<CommandResult> RunAsync(HostCommand command, CancellationToken cancellationToken)
    {
        var start = recorder.Time.GetTimestamp();
        try
        {
            var result = await inner.RunAsync(command, cancellationToken);
            if (command.Journaled)
            {
                await recorder.AppendAsync(
                    JournalEvent.Command,
                    HostName,
                    step,
                    result.Succeeded ? "ok" : "failed",
                    command: command.DisplayText,
                    exitCode: result.ExitCode,
                    output: result.Output,
                    duration: result.Duration);
            }

            return result;
        }
        catch (Exception e) when (command.Journaled && e is DownshiftException or OperationCanceledException)
        {
            await recorder.AppendAsync(
                JournalEvent.Command,
                HostName,
                step,
                e is OperationCanceledException ? "cancelled" : $"error: {e.Message}",
                command: command.DisplayText,
                duration: recorder.Time.GetElapsedTime(start));
            throw;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
