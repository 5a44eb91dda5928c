using System.Globalization;
using System.Text;

namespace Downshift.Fingerprints.Internal;

/// <summary>One part of the fingerprint script's output: its exit code, stdout (bytes) and stderr.</summary>
internal sealed record ScriptPart(string Name, int ExitCode, byte[] Output, string Error)
{
    public string Text => Encoding.UTF8.GetString(Output);

    public IEnumerable<string> Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Whether the part was read, and what went wrong: null when it ran cleanly; the reason when it could
    /// not run (then nothing was read); <c>partly: …</c> when it ran but complained. Exit codes in
    /// <paramref name="fine"/> count as clean (supervisorctl exits 3 when a program is not running).
    /// </summary>
    public (bool Read, string? Problem) Outcome(params int[] fine)
    {
        var error = Brief(Error);
        return ExitCode switch
        {
            0 when error.Length == 0 => (true, null),
            FingerprintScript.UnavailableExit => (false, error.Length > 0 ? error : "not available"),
            _ when fine.Contains(ExitCode) || ExitCode == 0 => (true, error.Length > 0 ? $"partly: {error}" : null),
            _ when Output.Length > 0 => (true, $"partly (exit {ExitCode}): {error}"),
            _ => (false, error.Length > 0 ? $"exit {ExitCode}: {error}" : $"exit {ExitCode}"),
        };
    }

    /// <summary>At most three lines of 300 characters: enough to say why, not a log.</summary>
    private static string Brief(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(3);
        var joined = string.Join("; ", lines);
        return joined.Length > 300 ? joined[..300] + "…" : joined;
    }
}

/// <summary>Splits the fingerprint script's stdout into its parts (<c>@@part NAME EXIT OUT ERR</c> headers, then the bytes).</summary>
internal static class ScriptParts
{
    private static readonly byte[] Header = "@@part "u8.ToArray();

    public static IReadOnlyDictionary<string, ScriptPart> Parse(byte[] stdout)
    {
        var parts = new Dictionary<string, ScriptPart>(StringComparer.Ordinal);
        var at = 0;
        while (at < stdout.Length)
        {
            var end = Array.IndexOf(stdout, (byte)'\n', at);
            if (end < 0 || !stdout.AsSpan(at).StartsWith(Header))
            {
                throw DownshiftException.Internal($"the fingerprint script's output is out of step at byte {at}");
            }

            var fields = Encoding.UTF8.GetString(stdout, at + Header.Length, end - at - Header.Length).Split(' ');
            var (exit, outLength, errLength) = (Number(fields[1]), Number(fields[2]), Number(fields[3]));
            at = end + 1;
            var output = stdout.AsSpan(at, outLength).ToArray();
            var error = Encoding.UTF8.GetString(stdout, at + outLength, errLength);
            parts[fields[0]] = new ScriptPart(fields[0], exit, output, error);
            at += outLength + errLength;
        }

        return parts;
    }

    private static int Number(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
