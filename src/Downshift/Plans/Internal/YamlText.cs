using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Downshift.Plans.Internal;

/// <summary>Where YAML text stopped being readable, and why (YamlDotNet's own position prefix removed).</summary>
internal sealed record YamlTextError(Mark Position, string Message);

/// <summary>
/// The one way YAML text is loaded (plans, YAML inventories, YAML config files): a malformed text gives
/// a positioned error, never an exception — including YamlDotNet's unpositioned
/// <see cref="InvalidOperationException"/> on some broken flow collections.
/// </summary>
internal static partial class YamlText
{
    public static YamlStream? Load(string text, out YamlTextError? error)
    {
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text), skipComments: true);
        try
        {
            stream.Load(new Parser(scanner));
            error = null;
            return stream;
        }
        catch (YamlException e)
        {
            var message = (e.InnerException?.Message ?? e.Message).ReplaceLineEndings(" ");
            error = new YamlTextError(e.Start, $"not valid YAML: {YamlDotNetPosition().Replace(message, "")}");
            return null;
        }
        catch (InvalidOperationException)
        {
            // Thrown on some malformed text (an unclosed [ followed by a key); where the scanner
            // stopped is where the text broke.
            error = new YamlTextError(scanner.CurrentPosition, "not valid YAML: the text cannot be read here (an unclosed [ or {?)");
            return null;
        }
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex YamlDotNetPosition();
}
