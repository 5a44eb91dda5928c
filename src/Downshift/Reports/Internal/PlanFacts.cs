using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Downshift.Reports.Internal;

/// <summary>
/// The few plan facts a report shows, read straight from the plan text the run kept (so a report
/// shows what ran, not what the file says now). Anything missing or unreadable is null.
/// </summary>
internal sealed record PlanFacts(
    string? ReasonKind,
    string? ReasonDetail,
    string? ScopeKind,
    IReadOnlyList<string> ScopeItems,
    string? From,
    string? To,
    IReadOnlyList<string> Hosts)
{
    private static readonly PlanFacts None = new(null, null, null, [], null, null, []);

    public static PlanFacts Parse(string? planText)
    {
        if (string.IsNullOrWhiteSpace(planText))
        {
            return None;
        }

        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(planText));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                return None;
            }

            return new PlanFacts(
                Scalar(Child(Child(root, "reason"), "kind")),
                Scalar(Child(Child(root, "reason"), "detail")),
                Scalar(Child(Child(root, "scope"), "kind")),
                List(Child(Child(root, "scope"), "items")),
                Scalar(Child(root, "from")),
                Scalar(Child(root, "to")),
                List(Child(root, "hosts")));
        }
        catch (YamlException)
        {
            return None;
        }
    }

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Scalar(YamlNode? node) =>
        node is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;

    /// <summary>A list of scalars, of mappings (their <c>name</c> or <c>host</c>), a mapping (its keys), or one scalar.</summary>
    private static IReadOnlyList<string> List(YamlNode? node) => node switch
    {
        YamlSequenceNode sequence => [.. sequence.Children
            .Select(item => Scalar(item) ?? Scalar(Child(item, "name")) ?? Scalar(Child(item, "host")))
            .OfType<string>()],
        YamlMappingNode map => [.. map.Children.Keys.Select(Scalar).OfType<string>()],
        YamlScalarNode => Scalar(node) is { } one ? [one] : [],
        _ => [],
    };
}
