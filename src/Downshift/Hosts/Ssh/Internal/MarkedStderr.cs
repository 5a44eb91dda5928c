using System.Globalization;
using System.Text;

namespace Downshift.Hosts.Ssh.Internal;

/// <summary>
/// Reads a remote command's stderr whole, and notices its first line, where the wrapper of
/// <see cref="RemoteCommand"/> reports the process group; that line is not part of the command's stderr.
/// </summary>
internal sealed class MarkedStderr
{
    private readonly MemoryStream buffer = new();
    private readonly TaskCompletionSource<int?> processGroup = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The process group, once the first line arrived (null when the command never reached the wrapper, e.g. sudo refused).</summary>
    public Task<int?> ProcessGroup => processGroup.Task;

    public async Task<string> ReadAsync(Stream source, CancellationToken cancellationToken)
    {
        var chunk = new byte[8192];
        try
        {
            int read;
            while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (!processGroup.Task.IsCompleted && Array.IndexOf(buffer.GetBuffer(), (byte)'\n', 0, (int)buffer.Length) >= 0)
                {
                    processGroup.TrySetResult(ParseFirstLine());
                }
            }
        }
        finally
        {
            processGroup.TrySetResult(null);
        }

        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        return text.StartsWith(RemoteCommand.PidMarker, StringComparison.Ordinal) ? text[(text.IndexOf('\n', StringComparison.Ordinal) + 1)..] : text;
    }

    private int? ParseFirstLine()
    {
        var text = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        var line = text[..text.IndexOf('\n', StringComparison.Ordinal)];
        return line.StartsWith(RemoteCommand.PidMarker, StringComparison.Ordinal)
            && int.TryParse(line[RemoteCommand.PidMarker.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;
    }
}
