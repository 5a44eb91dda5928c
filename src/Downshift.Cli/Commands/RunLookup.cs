using Downshift.Journal;

namespace Downshift.Cli.Commands;

/// <summary>Finds the run a command names; says so on stderr when the journal has no such run.</summary>
internal static class RunLookup
{
    public static async Task<RunHeader?> FindAsync(IJournal journal, string runId, ConsoleUi ui, CancellationToken cancellationToken)
    {
        var header = await journal.FindRunAsync(runId, cancellationToken);
        if (header is null)
        {
            ui.Fail($"no run '{runId}' in {journal.Location} (see 'downshift runs')");
        }

        return header;
    }
}
