using System.Text.RegularExpressions;
using Downshift.Steps;

namespace Downshift.Plans.Internal;

/// <summary>Reads one step: the common keys here, the kind's options through the kind's Bind.</summary>
internal static partial class StepReader
{
    public static PlanStep? Read(YamlMap map, string phase, int index, HashSet<string> seenIds)
    {
        var errorsBefore = map.Context.Errors.All.Count;
        var id = map.String("id", required: true);
        if (id is not null && !StepId().IsMatch(id))
        {
            map.Error("id", $"step id '{id}' must be lower-case letters, digits and '-', starting with a letter or digit");
        }
        else if (id is not null && !seenIds.Add(id))
        {
            map.Error("id", $"step id '{id}' is used twice");
        }

        var kindName = map.String("kind", required: true);
        var kind = kindName is null ? null : StepKinds.Find(kindName);
        if (kindName is not null && kind is null)
        {
            map.Error("kind", $"unknown step kind '{kindName}'; known kinds: {string.Join(", ", StepKinds.All.Select(k => k.Name))}");
        }

        var allowed = PlanKeys.StepCommon.Concat(kind?.Fields.Select(f => f.Name) ?? map.Keys);
        map.ReportUnknownKeys(allowed, kind is null ? "the step" : $"a '{kind.Name}' step");

        var options = kind?.Bind(new YamlStepOptionsReader(map, id ?? $"#{index}"));
        var undo = kind is null ? null : ReadUndo(map, kind);
        var timeout = map.Duration("timeout") ?? kind?.DefaultTimeout ?? PlanDefaults.StepTimeout;
        var retries = map.Integer("retries", min: 0, max: 10) ?? PlanDefaults.Retries;
        var retryDelay = map.Duration("retry-delay") ?? PlanDefaults.RetryDelay;
        var check = map.String("check");
        var description = map.String("description");

        if (id is null || kind is null || options is null || undo is null || map.Context.Errors.All.Count > errorsBefore)
        {
            return null;
        }

        return new PlanStep
        {
            Id = id,
            Kind = kind.Name,
            Phase = phase,
            Index = index,
            Description = description,
            Options = options,
            Check = check,
            Undo = undo,
            Timeout = timeout,
            Retries = retries,
            RetryDelay = retryDelay,
            Location = map.LocationOf(),
        };
    }

    private static UndoSpec? ReadUndo(YamlMap map, IStepKind kind)
    {
        var undo = map.String("undo");
        var reason = map.String("undo-reason");
        if (reason is not null && undo != PlanKeys.UndoNone)
        {
            map.Error("undo-reason", "'undo-reason' goes with 'undo: none'");
            return null;
        }

        if (undo == PlanKeys.UndoNone)
        {
            if (string.IsNullOrWhiteSpace(reason))
            {
                map.Error("undo", "'undo: none' needs an 'undo-reason' saying why this step cannot or need not be undone");
                return null;
            }

            return new UndoSpec(UndoMode.None, Reason: reason);
        }

        return (kind.Undo, undo) switch
        {
            (UndoSupport.NotNeeded, null) => UndoSpec.NotNeeded,
            (UndoSupport.NotNeeded, _) => Fail(map, $"a '{kind.Name}' step changes nothing, so it takes no 'undo'"),
            (UndoSupport.Derived, null) => UndoSpec.Derived,
            (_, not null) => new UndoSpec(UndoMode.Command, Command: undo),
            _ => Fail(
                map,
                $"a '{kind.Name}' step has no undo of its own: declare 'undo: COMMAND', or 'undo: none' with an 'undo-reason'"),
        };
    }

    private static UndoSpec? Fail(YamlMap map, string message)
    {
        map.Error(map.Has("undo") ? "undo" : null, message);
        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex StepId();
}
