using System.Globalization;
using System.Text.RegularExpressions;
using Downshift.Hosts;

namespace Downshift.Tests.Monitoring;

/// <summary>A log file on a <see cref="ScriptedHost"/>: answers LogWatch's command the way the real script does (inode 7).</summary>
internal sealed partial class FakeLogFile
{
    public const string Inode = "7";

    public string Content { get; set; } = "";

    public bool IsLogRead(HostCommand command) => command.Script.StartsWith("f=", StringComparison.Ordinal);

    public Task<CommandResult> Answer(HostCommand command)
    {
        var offset = int.Parse(Offset().Match(command.Script).Groups[1].Value, CultureInfo.InvariantCulture);
        var inode = KnownInode().Match(command.Script).Groups[1].Value.Trim('\'');
        var max = int.Parse(Max().Match(command.Script).Groups[1].Value, CultureInfo.InvariantCulture);
        var start = inode == Inode && Content.Length >= offset ? offset : 0;
        var data = Content[start..Math.Min(Content.Length, start + max)];
        return ScriptedHost.Ok($"{Inode} {Content.Length} {start}\n{data}");
    }

    [GeneratedRegex(@"off=(\d+);")]
    private static partial Regex Offset();

    [GeneratedRegex(@"\[ ""\$1"" = ('[^']*'|\S+) \]")]
    private static partial Regex KnownInode();

    [GeneratedRegex(@"\[ (\d+) -gt 0 \]")]
    private static partial Regex Max();
}
