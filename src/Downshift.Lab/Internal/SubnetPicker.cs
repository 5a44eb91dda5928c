using System.Globalization;
using System.Net;

namespace Downshift.Lab.Internal;

/// <summary>
/// Picks a free /24 under 10.200.0.0–10.255.255.0 for a lab: one that no IPv4 address on this machine
/// (the output of <c>ip -4 -o addr</c>) overlaps. The search starts at a place derived from the lab
/// name, so labs with different names rarely probe the same subnets.
/// </summary>
internal static class SubnetPicker
{
    private const int FirstSecondOctet = 200;
    private const int Candidates = (256 - FirstSecondOctet) * 256;

    public static string? Pick(string labName, string ipAddrOutput)
    {
        var used = ParseNetworks(ipAddrOutput);
        var start = StableHash(labName) % Candidates;
        for (var n = 0; n < Candidates; n++)
        {
            var k = (start + n) % Candidates;
            var subnet = $"10.{FirstSecondOctet + (k / 256)}.{k % 256}";
            if (!used.Any(u => Overlaps(u, ToUInt(subnet + ".0"), 24)))
            {
                return subnet;
            }
        }

        return null;
    }

    /// <summary>True when an address on this machine lies in, or covers, SUBNET.0/24.</summary>
    public static bool InUse(string subnet, string ipAddrOutput) =>
        ParseNetworks(ipAddrOutput).Any(u => Overlaps(u, ToUInt(subnet + ".0"), 24));

    /// <summary>Every "inet A.B.C.D/P" in the output, as (address, prefix length).</summary>
    internal static IReadOnlyList<(uint Address, int Prefix)> ParseNetworks(string ipAddrOutput)
    {
        var result = new List<(uint, int)>();
        var words = ipAddrOutput.Split((char[])[' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < words.Length; i++)
        {
            if (words[i] != "inet")
            {
                continue;
            }

            var parts = words[i + 1].Split('/');
            if (IPAddress.TryParse(parts[0], out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                var prefix = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 32;
                result.Add((ToUInt(parts[0]), Math.Clamp(prefix, 0, 32)));
            }
        }

        return result;
    }

    private static bool Overlaps((uint Address, int Prefix) used, uint network, int prefix)
    {
        var shorter = Math.Min(used.Prefix, prefix);
        var mask = shorter == 0 ? 0u : uint.MaxValue << (32 - shorter);
        return (used.Address & mask) == (network & mask);
    }

    private static uint ToUInt(string address)
    {
        var bytes = IPAddress.Parse(address).GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    private static int StableHash(string text)
    {
        var hash = 2166136261u; // FNV-1a: the same on every run, unlike string.GetHashCode
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7fffffff);
    }
}
