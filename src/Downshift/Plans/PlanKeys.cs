namespace Downshift.Plans;

/// <summary>The keys of the plan format, in one place (loader, schema and docs use them).</summary>
public static class PlanKeys
{
    public static readonly IReadOnlyList<string> TopLevel =
        ["downshift", "name", "reason", "scope", "from", "to", "hosts", "inventory", "strategy", "monitor", "fingerprint", "require-rehearsal", "vars", "phases"];

    public static readonly IReadOnlyList<string> Monitor = ["interval", "baseline", "bake", "probes", "logs", "prometheus", "triggers", "on-missing"];

    /// <summary>Keys of <c>monitor.prometheus</c> (the server and its named queries, metrics <c>prom.NAME</c>).</summary>
    public static readonly IReadOnlyList<string> Prometheus = ["url", "timeout", "queries"];

    /// <summary>Keys of an item of <c>monitor.prometheus.queries</c>.</summary>
    public static readonly IReadOnlyList<string> PrometheusQuery = ["name", "query", "reduce"];

    public static readonly IReadOnlyList<string> Strategy = ["canary", "bake", "batch", "concurrency", "max-failed", "rollback"];

    /// <summary>Keys of <c>fingerprint:</c> (what a host's fingerprint covers, and the differences expected).</summary>
    public static readonly IReadOnlyList<string> Fingerprint = ["paths", "suid-dirs", "services", "databases", "expect-differences"];

    /// <summary>Keys of an item of <c>fingerprint.expect-differences</c>.</summary>
    public static readonly IReadOnlyList<string> ExpectDifference = ["what", "reason"];

    public static readonly IReadOnlyList<string> FleetRollbacks = ["whole-fleet", "failed-hosts"];

    public static readonly IReadOnlyList<string> Reason = ["kind", "detail"];

    /// <summary>Keys of an inline host in <c>hosts:</c> (<c>{name: h1, address: 10.0.0.1, …}</c>).</summary>
    public static readonly IReadOnlyList<string> InlineHost = ["name", "address", "port", "user", "key", "become"];

    public static readonly IReadOnlyList<string> Scope = ["kind", "items"];

    public static readonly IReadOnlyList<string> Phase = ["name", "steps"];

    public static readonly IReadOnlyList<string> StepCommon =
        ["id", "kind", "description", "check", "undo", "undo-reason", "timeout", "retries", "retry-delay"];

    public static readonly IReadOnlyList<string> ReasonKinds = ["compatibility", "bug", "performance", "other"];

    public static readonly IReadOnlyList<string> ScopeKinds = ["system", "modules"];

    public const string UndoNone = "none";
}
