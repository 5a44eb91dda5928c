using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Downshift.Fingerprints.Internal;

/// <summary>
/// Reads the ports part: <c>ss -H -lntup</c> after <c>@@ss</c>, or (no ss) /proc/net/{tcp,tcp6,udp,udp6}
/// after their markers with the socket inodes of each process (<c>@@sockets</c>) and the processes' names
/// (<c>@@comm</c>). Keys are <c>PROTO:ADDRESS:PORT</c> (<c>tcp:0.0.0.0:22</c>, <c>tcp:[::]:22</c>).
/// </summary>
internal static partial class PortLines
{
    public const string Ss = "ss";
    public const string Proc = "/proc/net";

    /// <summary>Adds the listening sockets; returns the source that was read (<see cref="Ss"/> or <see cref="Proc"/>).</summary>
    public static string Add(IEnumerable<string> lines, IDictionary<string, PortEntry> entries)
    {
        var blocks = Blocks(lines);
        var sockets = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        string source;
        if (blocks.TryGetValue("ss", out var ss))
        {
            source = Ss;
            foreach (var fields in ss.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 5))
            {
                var names = fields.Length > 6 ? ProcessName().Matches(string.Join(' ', fields[6..])).Select(m => m.Groups[1].Value) : [];
                Add(sockets, $"{fields[0]}:{fields[4]}", names);
            }
        }
        else
        {
            source = Proc;
            var owners = Owners(blocks.GetValueOrDefault("sockets", []), blocks.GetValueOrDefault("comm", []));
            foreach (var proto in new[] { "tcp", "tcp6", "udp", "udp6" })
            {
                foreach (var (address, inode) in ProcNet(blocks.GetValueOrDefault(proto, []), listening: proto.StartsWith("tcp", StringComparison.Ordinal) ? "0A" : "07"))
                {
                    Add(sockets, $"{proto[..3]}:{address}", owners.GetValueOrDefault(inode, []));
                }
            }
        }

        foreach (var (key, names) in sockets)
        {
            entries[key] = new PortEntry(names.Count == 0 ? "unknown" : string.Join(',', names));
        }

        return source;
    }

    private static void Add(Dictionary<string, SortedSet<string>> sockets, string key, IEnumerable<string> names)
    {
        if (!sockets.TryGetValue(key, out var set))
        {
            sockets[key] = set = new SortedSet<string>(StringComparer.Ordinal);
        }

        set.UnionWith(names);
    }

    /// <summary>Lines grouped under their <c>@@NAME</c> marker.</summary>
    private static Dictionary<string, List<string>> Blocks(IEnumerable<string> lines)
    {
        var blocks = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var current = new List<string>();
        foreach (var line in lines)
        {
            if (line.StartsWith("@@", StringComparison.Ordinal))
            {
                blocks[line[2..].Trim()] = current = [];
            }
            else
            {
                current.Add(line);
            }
        }

        return blocks;
    }

    /// <summary>The sockets of a /proc/net table in state <paramref name="listening"/> (TCP LISTEN 0A, UDP 07): address and inode.</summary>
    internal static IEnumerable<(string Address, string Inode)> ProcNet(IEnumerable<string> lines, string listening)
    {
        foreach (var fields in lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            if (fields.Length >= 10 && fields[3] == listening && fields[1].Split(':') is [var hex, var port])
            {
                var address = Address(hex);
                var text = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
                yield return ($"{text}:{int.Parse(port, NumberStyles.HexNumber, CultureInfo.InvariantCulture)}", fields[9]);
            }
        }
    }

    /// <summary>/proc/net's hex address: 32-bit words in host (little-endian) order.</summary>
    private static IPAddress Address(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        for (var word = 0; word < bytes.Length; word += 4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(word), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(word)));
        }

        return new IPAddress(bytes);
    }

    /// <summary>Socket inode → process names, from <c>/proc/PID/fd socket:[INODE]</c> and <c>PID NAME</c> lines.</summary>
    private static Dictionary<string, List<string>> Owners(IEnumerable<string> sockets, IEnumerable<string> comm)
    {
        var names = comm.Select(l => l.Split(' ', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
        var owners = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var match in sockets.Select(l => SocketLine().Match(l)).Where(m => m.Success))
        {
            if (names.TryGetValue(match.Groups[1].Value, out var name))
            {
                var inode = match.Groups[2].Value;
                owners[inode] = [.. owners.GetValueOrDefault(inode, []), name];
            }
        }

        return owners;
    }

    [GeneratedRegex("""\("([^"]*)",pid=""")]
    private static partial Regex ProcessName();

    [GeneratedRegex(@"^/proc/(\d+)/fd socket:\[(\d+)\]$")]
    private static partial Regex SocketLine();
}
