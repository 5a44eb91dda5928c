using System.Globalization;
using System.Text;

namespace Downshift.Hosts.Ssh.Internal;

/// <summary>
/// Reads a remote command's stderr whole, and notices the line where the wrapper of
/// <see cref="RemoteCommand"/> reports the process group. That line is normally the first, but with
/// become sudo may write before it ("unable to resolve host", a lecture), so the first line that
/// starts with the marker counts wherever it is; it is not part of the command's stderr.
/// </summary>
internal sealed class MarkedStderr
{
    private readonly MemoryStream buffer = new();
    private readonly TaskCompletionSource<int?> processGroup = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int scanned;
    private (int Start, int End)? marker;

    /// <summary>The process group, once its line arrived (null when the command never reached the wrapper, e.g. sudo refused).</summary>
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
                if (marker is null)
                {
                    ScanCompleteLines();
                }
            }
        }
        finally
        {
            processGroup.TrySetResult(null);
        }

        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        return marker is { } line
            ? Encoding.UTF8.GetString(bytes[..line.Start]) + Encoding.UTF8.GetString(bytes[line.End..])
            : Encoding.UTF8.GetString(bytes);
    }

    private void ScanCompleteLines()
    {
        var bytes = buffer.GetBuffer();
        int end;
        while ((end = Array.IndexOf(bytes, (byte)'\n', scanned, (int)buffer.Length - scanned)) >= 0)
        {
            var line = Encoding.UTF8.GetString(bytes, scanned, end - scanned);
            if (line.StartsWith(RemoteCommand.PidMarker, StringComparison.Ordinal))
            {
                marker = (scanned, end + 1);
                processGroup.TrySetResult(
                    int.TryParse(line[RemoteCommand.PidMarker.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null);
                return;
            }

            scanned = end + 1;
        }
    }
}
