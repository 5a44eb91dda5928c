using System.Text;

namespace Downshift.Journal.Internal;

/// <summary>Cuts long command output to its head and tail, so the journal stays small and readable.</summary>
internal static class OutputExcerpt
{
    /// <summary>The most UTF-8 bytes of output kept per record (head and tail halves).</summary>
    public const int MaxBytes = 4 * 1024;

    public static string? Cut(string? output, int maxBytes = MaxBytes)
    {
        if (output is null || Encoding.UTF8.GetByteCount(output) <= maxBytes)
        {
            return output;
        }

        var bytes = Encoding.UTF8.GetBytes(output);
        var headEnd = BackToCharStart(bytes, maxBytes / 2);
        var tailStart = BackToCharStart(bytes, bytes.Length - (maxBytes / 2));
        var elided = tailStart - headEnd;
        return Encoding.UTF8.GetString(bytes, 0, headEnd)
            + $"\n… {elided} bytes elided …\n"
            + Encoding.UTF8.GetString(bytes, tailStart, bytes.Length - tailStart);
    }

    /// <summary>Moves back to the first byte of a UTF-8 sequence, so no character is cut in half.</summary>
    private static int BackToCharStart(byte[] bytes, int index)
    {
        while (index > 0 && index < bytes.Length && (bytes[index] & 0xC0) == 0x80)
        {
            index--;
        }

        return index;
    }
}
