using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Downshift.Plans.Internal;
using YamlDotNet.RepresentationModel;

namespace Downshift.Plans;

/// <summary>
/// Reads a plan file: YAML → validation of every key, with every error positioned → the immutable
/// <see cref="Plan"/>. A plan with any error is not returned.
/// </summary>
public static partial class PlanLoader
{
    public static Task<PlanLoadResult> LoadFileAsync(
        string path, IReadOnlyDictionary<string, string> overrides, CancellationToken cancellationToken) =>
        LoadFileAsync(path, overrides, PlanLoadOptions.None, cancellationToken);

    /// <summary>Reads the plan file and the inventory it names (or <see cref="PlanLoadOptions.InventoryPath"/>).</summary>
    public static async Task<PlanLoadResult> LoadFileAsync(
        string path, IReadOnlyDictionary<string, string> overrides, PlanLoadOptions options, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new PlanLoadResult(null, [new PlanError(new SourceLocation(path, 0, 0, ""), $"cannot read the plan: {e.Message}")]);
        }

        return await LoadAsync(path, text, overrides, options, cancellationToken);
    }

    /// <summary>Validates plan text; an inventory it names is read (async) to resolve its hosts.</summary>
    public static async Task<PlanLoadResult> LoadAsync(
        string path, string text, IReadOnlyDictionary<string, string> overrides, PlanLoadOptions options, CancellationToken cancellationToken)
    {
        var (root, context, errors) = Begin(path, text);
        if (root is null)
        {
            return new PlanLoadResult(null, errors.Sorted());
        }

        Inventory.Inventory? inventory = null;
        if (options.ResolvedHosts is null && PlanHostsReader.InventoryPath(root, options) is { } inventoryPath)
        {
            var loaded = await Inventory.InventoryLoader.LoadFileAsync(inventoryPath, cancellationToken);
            foreach (var error in loaded.Errors)
            {
                errors.Add(error.Location, error.Message);
            }

            inventory = loaded.Inventory;
        }

        return Finish(root, context, errors, overrides, text, new HostSources(inventory, options.ResolvedHosts));
    }

    /// <summary>
    /// Validates plan text without reading files: hosts come from the plan itself or from
    /// <see cref="PlanLoadOptions.ResolvedHosts"/> (a plan naming an inventory needs <see cref="LoadAsync"/>).
    /// </summary>
    public static PlanLoadResult Load(string path, string text, IReadOnlyDictionary<string, string> overrides, PlanLoadOptions? options = null)
    {
        var (root, context, errors) = Begin(path, text);
        return root is null
            ? new PlanLoadResult(null, errors.Sorted())
            : Finish(root, context, errors, overrides, text, new HostSources(null, options?.ResolvedHosts));
    }

    /// <summary>Parses the YAML; the root is null when the text is not YAML (the errors say why).</summary>
    private static (YamlMap? Root, PlanReadContext Context, PlanErrors Errors) Begin(string path, string text)
    {
        var errors = new PlanErrors();
        var context = new PlanReadContext(path, errors);
        return (Parse(text, context), context, errors);
    }

    /// <summary>Reads the plan from its parsed YAML and hosts; no plan when anything was wrong.</summary>
    private static PlanLoadResult Finish(
        YamlMap root, PlanReadContext context, PlanErrors errors, IReadOnlyDictionary<string, string> overrides, string text, HostSources hosts)
    {
        var plan = Read(root, context, overrides, text, hosts);
        return errors.Any ? new PlanLoadResult(null, errors.Sorted()) : new PlanLoadResult(plan, []);
    }

    public static string HashOf(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static YamlMap? Parse(string text, PlanReadContext context)
    {
        if (YamlText.Load(text, out var error) is not { } stream)
        {
            context.Errors.Add(context.Locate(error!.Position, ""), error.Message);
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            context.Errors.Add(new SourceLocation(context.File, 1, 1, ""), "the plan must be a YAML mapping (name:, phases:, …)");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            context.Errors.Add(context.Locate(stream.Documents[1].RootNode.Start, ""), "a plan file holds one YAML document");
        }

        return new YamlMap(root, "", context);
    }

    private static Plan? Read(YamlMap root, PlanReadContext context, IReadOnlyDictionary<string, string> overrides, string text, HostSources hostSources)
    {
        root.ReportUnknownKeys(PlanKeys.TopLevel, "the plan");
        context.Variables = ReadVariables(root, overrides);

        var format = root.Integer("downshift", required: true);
        if (format is not null && format != PlanDefaults.FormatVersion)
        {
            root.Error("downshift", $"plan format {format} is not supported; this Downshift reads format {PlanDefaults.FormatVersion}");
        }

        var name = root.String("name", required: true);
        var reason = ReadReason(root);
        var scope = ReadScope(root);
        var from = root.String("from", required: true);
        var to = root.String("to", required: true);
        if (from is not null && from == to)
        {
            root.Error("to", $"'from' and 'to' are both '{from}': there is nothing to change");
        }

        var hosts = PlanHostsReader.Read(root, hostSources);

        var strategy = StrategyReader.Read(root, hosts.Count);
        var monitor = MonitorReader.Read(root);
        var fingerprint = PlanFingerprintReader.Read(root);
        var requireRehearsal = root.Boolean("require-rehearsal") ?? false;
        var phases = ReadPhases(root);
        if (name is null || reason is null || scope is null || from is null || to is null || phases is null)
        {
            return null;
        }

        return new Plan
        {
            Name = name,
            Reason = reason,
            Scope = scope,
            FromVersion = from,
            ToVersion = to,
            HostEntries = hosts,
            Strategy = strategy,
            Monitor = monitor,
            Fingerprint = fingerprint,
            RequireRehearsal = requireRehearsal,
            Variables = context.Variables,
            Phases = phases,
            SourcePath = context.File,
            Text = text,
            Overrides = overrides,
            ContentHash = HashOf(text),
        };
    }

    private static Dictionary<string, string> ReadVariables(YamlMap root, IReadOnlyDictionary<string, string> overrides)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.Map("vars") is { } vars)
        {
            foreach (var (keyNode, valueNode) in vars.Node.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? "";
                if (!VariableName().IsMatch(key))
                {
                    vars.Error(key, $"variable name '{key}' must start with a letter and use letters, digits, _ . -");
                }
                else if (valueNode is YamlScalarNode scalar)
                {
                    variables[key] = scalar.Value ?? "";
                }
                else
                {
                    vars.Error(key, $"variable '{key}' must be a single value");
                }
            }
        }

        foreach (var (key, value) in overrides)
        {
            variables[key] = value;
        }

        return variables;
    }

    private static PlanReason? ReadReason(YamlMap root)
    {
        var map = root.Map("reason", required: true);
        if (map is null)
        {
            return null;
        }

        map.ReportUnknownKeys(PlanKeys.Reason, "'reason'");
        var kind = map.OneOf("kind", PlanKeys.ReasonKinds, required: true);
        var detail = map.String("detail", required: true);
        return kind is null || detail is null ? null : new PlanReason(Enum.Parse<ReasonKind>(kind, ignoreCase: true), detail);
    }

    private static PlanScope? ReadScope(YamlMap root)
    {
        var map = root.Map("scope", required: true);
        if (map is null)
        {
            return null;
        }

        map.ReportUnknownKeys(PlanKeys.Scope, "'scope'");
        var kind = map.OneOf("kind", PlanKeys.ScopeKinds, required: true);
        var items = map.StringList("items", required: kind == "modules") ?? [];
        if (kind == "modules" && items.Count == 0 && map.Has("items"))
        {
            map.Error("items", "a 'modules' scope lists at least one module or package");
        }

        return kind is null ? null : new PlanScope(Enum.Parse<ScopeKind>(kind, ignoreCase: true), items);
    }

    private static List<PlanPhase>? ReadPhases(YamlMap root)
    {
        var items = root.Sequence("phases", required: true);
        if (items is null)
        {
            return null;
        }

        if (items.Count == 0)
        {
            root.Error("phases", "a plan has at least one phase");
        }

        var phases = new List<PlanPhase>();
        var phaseNames = new HashSet<string>(StringComparer.Ordinal);
        var stepIds = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        var ok = true;
        foreach (var (node, path) in items)
        {
            if (node is not YamlMappingNode mapping)
            {
                root.Context.Errors.Add(root.Context.Locate(node.Start, path), "each phase is a mapping with 'name' and 'steps'");
                ok = false;
                continue;
            }

            var phase = new YamlMap(mapping, path, root.Context);
            phase.ReportUnknownKeys(PlanKeys.Phase, "a phase");
            var name = phase.String("name", required: true);
            if (name is not null && !phaseNames.Add(name))
            {
                phase.Error("name", $"phase '{name}' appears twice");
            }

            var steps = new List<PlanStep>();
            var stepItems = phase.Sequence("steps", required: true) ?? [];
            if (stepItems.Count == 0 && phase.Has("steps"))
            {
                phase.Error("steps", "a phase has at least one step");
            }

            foreach (var (stepNode, stepPath) in stepItems)
            {
                if (stepNode is not YamlMappingNode stepMapping)
                {
                    root.Context.Errors.Add(root.Context.Locate(stepNode.Start, stepPath), "each step is a mapping with 'id' and 'kind'");
                    continue;
                }

                var step = StepReader.Read(new YamlMap(stepMapping, stepPath, root.Context), name ?? "", index++, stepIds);
                if (step is not null)
                {
                    steps.Add(step);
                }
            }

            phases.Add(new PlanPhase(name ?? "", steps));
        }

        return ok ? phases : null;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.-]*$")]
    private static partial Regex VariableName();
}
