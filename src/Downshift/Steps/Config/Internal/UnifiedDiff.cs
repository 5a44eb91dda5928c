using System.Text;

namespace Downshift.Steps.Config.Internal;

/// <summary>A unified-style line diff (<c>--- path</c>, <c>+++ path</c>, <c>@@</c> hunks, <c>-old</c>/<c>+new</c>) for the journal.</summary>
internal static class UnifiedDiff
{
    private const int Context = 2;
    private const int MaxCells = 4_000_000;

    public static string Create(string path, byte[] before, byte[] after)
    {
        var (a, b) = (Lines(before), Lines(after));
        var ops = Diff(a, b);
        if (ops.All(o => o.Op == ' '))
        {
            return $"--- {path}\n+++ {path}\n(no change)";
        }

        var text = new StringBuilder($"--- {path}\n+++ {path}\n");
        var next = 0;
        while (ops.FindIndex(next, o => o.Op != ' ') is >= 0 and var first)
        {
            var last = first;
            while (ops.FindIndex(last + 1, o => o.Op != ' ') is >= 0 and var change && change - last <= Context * 2 + 1)
            {
                last = change;
            }

            var (start, end) = (Math.Max(0, first - Context), Math.Min(ops.Count, last + Context + 1));
            var hunk = ops.GetRange(start, end - start);
            var oldStart = ops.Take(start).Count(o => o.Op != '+') + 1;
            var newStart = ops.Take(start).Count(o => o.Op != '-') + 1;
            text.Append($"@@ -{oldStart},{hunk.Count(o => o.Op != '+')} +{newStart},{hunk.Count(o => o.Op != '-')} @@\n");
            foreach (var (op, line) in hunk)
            {
                text.Append(op).Append(line).Append('\n');
            }

            next = end;
        }

        return text.ToString().TrimEnd('\n');
    }

    private static string[] Lines(byte[] content)
    {
        var text = Encoding.UTF8.GetString(content).Replace("\r\n", "\n", StringComparison.Ordinal);
        return text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');
    }

    /// <summary>Common prefix and suffix, then a longest-common-subsequence table over the middle.</summary>
    private static List<(char Op, string Line)> Diff(string[] a, string[] b)
    {
        var prefix = 0;
        while (prefix < a.Length && prefix < b.Length && a[prefix] == b[prefix])
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < a.Length - prefix && suffix < b.Length - prefix && a[^(suffix + 1)] == b[^(suffix + 1)])
        {
            suffix++;
        }

        var (m, n) = (a.Length - prefix - suffix, b.Length - prefix - suffix);
        var ops = new List<(char, string)>(a.Take(prefix).Select(l => (' ', l)));
        if ((long)m * n > MaxCells)
        {
            ops.AddRange(a.Skip(prefix).Take(m).Select(l => ('-', l)));
            ops.AddRange(b.Skip(prefix).Take(n).Select(l => ('+', l)));
        }
        else
        {
            var lcs = new int[m + 1, n + 1];
            for (var x = m - 1; x >= 0; x--)
            {
                for (var y = n - 1; y >= 0; y--)
                {
                    lcs[x, y] = a[prefix + x] == b[prefix + y] ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
                }
            }

            var (i, j) = (0, 0);
            while (i < m || j < n)
            {
                if (i < m && j < n && a[prefix + i] == b[prefix + j])
                {
                    ops.Add((' ', a[prefix + i]));
                    (i, j) = (i + 1, j + 1);
                }
                else if (i < m && (j == n || lcs[i + 1, j] >= lcs[i, j + 1]))
                {
                    ops.Add(('-', a[prefix + i++]));
                }
                else
                {
                    ops.Add(('+', b[prefix + j++]));
                }
            }
        }

        ops.AddRange(a.Skip(a.Length - suffix).Select(l => (' ', l)));
        return ops;
    }
}
