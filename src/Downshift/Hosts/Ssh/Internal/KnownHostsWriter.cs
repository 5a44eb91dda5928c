namespace Downshift.Hosts.Ssh.Internal;

/// <summary>Appends a line to a known_hosts file atomically: the whole file is rewritten to a temp file and renamed over.</summary>
internal static class KnownHostsWriter
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task AppendAsync(string path, string line, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            Directory.CreateDirectory(directory);
            var existing = File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken) : "";
            if (existing.Length > 0 && !existing.EndsWith('\n'))
            {
                existing += "\n";
            }

            var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
            await File.WriteAllTextAsync(temp, existing + line + "\n", cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            Gate.Release();
        }
    }
}
