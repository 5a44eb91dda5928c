using System.Globalization;

namespace Downshift.Lab.Internal;

/// <summary>
/// How a lab names its kernel objects and addresses. Every name starts with <c>ds-NAME-</c> and NAME
/// has no dash, so two labs never share a name; the longest (<c>ds-abcde-v200</c>) fits IFNAMSIZ (15).
/// </summary>
internal sealed record LabNames(string Lab, string Subnet)
{
    public const int FirstHostOctet = 10;

    public string Prefix => $"ds-{Lab}-";

    public string Bridge => Prefix + "br";

    public string Gateway => Subnet + ".1";

    public static string HostName(int index) => "h" + index.ToString(CultureInfo.InvariantCulture);

    public string Veth(int index) => Prefix + "v" + index.ToString(CultureInfo.InvariantCulture);

    public string Netns(int index) => Prefix + "h" + index.ToString(CultureInfo.InvariantCulture);

    public string Address(int index) => $"{Subnet}.{FirstHostOctet + index}";

    public LabHost Host(int index) => new(HostName(index), Address(index));

    /// <summary>The index of h1..hN, or null for another name.</summary>
    public static int? IndexOf(string hostName) =>
        hostName.Length > 1 && hostName[0] == 'h' && int.TryParse(hostName.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i > 0
            ? i
            : null;
}
