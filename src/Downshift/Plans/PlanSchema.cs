using System.Text.Json;
using System.Text.Json.Nodes;
using Downshift.Steps;

namespace Downshift.Plans;

/// <summary>The plan format as JSON Schema (draft 2020-12), built from <see cref="PlanKeys"/> and the step kinds' fields.</summary>
public static class PlanSchema
{
    public static string Render() => Build().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public static JsonObject Build()
    {
        var kinds = new JsonArray();
        foreach (var kind in StepKinds.All)
        {
            kinds.Add(StepSchema(kind));
        }

        return new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://downshift.dev/schema/plan-v1.json",
            ["title"] = "Downshift plan",
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["required"] = Array("downshift", "name", "reason", "scope", "from", "to", "phases"),
            ["properties"] = new JsonObject
            {
                ["downshift"] = new JsonObject { ["const"] = PlanDefaults.FormatVersion, ["description"] = "Plan format version." },
                ["name"] = Text("The plan's name."),
                ["reason"] = Closed(
                    new JsonObject
                    {
                        ["kind"] = Enum(PlanKeys.ReasonKinds, "Why the downgrade (P1)."),
                        ["detail"] = Text("What is wrong with the current version, in words."),
                    },
                    "kind",
                    "detail"),
                ["scope"] = Closed(
                    new JsonObject
                    {
                        ["kind"] = Enum(PlanKeys.ScopeKinds, "Whole system, or the listed modules."),
                        ["items"] = new JsonObject { ["type"] = "array", ["items"] = Text("A module or package.") },
                    },
                    "kind"),
                ["from"] = Text("The version installed now."),
                ["to"] = Text("The version to go back to."),
                ["hosts"] = HostsSchema(),
                ["inventory"] = Text("Ansible inventory file (INI or YAML), relative to the plan; --inventory FILE replaces it."),
                ["strategy"] = new JsonObject
                {
                    ["type"] = "object",
                    ["additionalProperties"] = false,
                    ["description"] = "How the run rolls through the hosts.",
                    ["properties"] = new JsonObject
                    {
                        ["canary"] = HostCountSchema("Hosts in the canary batch, run first (0: none)."),
                        ["bake"] = Text("After the canary: wait this long, then run the plan's checks on it again (30s, 5m)."),
                        ["batch"] = HostCountSchema("Hosts per batch after the canary (default: all)."),
                        ["concurrency"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["description"] = "At most this many hosts work at once (default 10)." },
                        ["max-failed"] = HostCountSchema("Hosts that may fail before the fleet stops (default 0)."),
                        ["rollback"] = Enum(PlanKeys.FleetRollbacks, "Past the budget: roll back every changed host, or only the failed ones."),
                    },
                },
                ["monitor"] = new JsonObject
                {
                    ["type"] = "object",
                    ["additionalProperties"] = false,
                    ["description"] = "Watch each host: a baseline before its first change, a bake after its last step, trigger rules that roll it back (E2, E6, E8).",
                    ["properties"] = new JsonObject
                    {
                        ["interval"] = Text("Time between samples (default 1s)."),
                        ["baseline"] = Text("Sample this long on each host before its first change (10s, 1m)."),
                        ["bake"] = Text("Watch this long after each host's last step; the trigger rules are judged then."),
                        ["probes"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" }, ["description"] = "HTTP probes from the controller: {name, url, method, body, expect-status, timeout}; {{ host.address }} is filled in per host." },
                        ["logs"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" }, ["description"] = "Log files on the hosts: {name, path, pattern}; lines matching per minute." },
                        ["prometheus"] = PrometheusSchema(),
                        ["triggers"] = new JsonObject { ["type"] = "array", ["items"] = Text("A rule, e.g. \"http.health.error_rate > 1% for 5s\" or \"cpu.percent > 1.5 x baseline.p95 for 30s\"."), ["description"] = "Rules that roll a host back during its bake." },
                        ["on-missing"] = Enum(["pause", "rollback"], "An inconclusive rule at the end of the bake (missing data): stop for a human (default) or roll back."),
                    },
                },
                ["fingerprint"] = FingerprintSchema(),
                ["require-rehearsal"] = new JsonObject
                {
                    ["type"] = "boolean",
                    ["description"] = "true: 'downshift run' refuses this exact plan text until 'downshift rehearse' of it passed (P9). Default false.",
                },
                ["vars"] = new JsonObject
                {
                    ["type"] = "object",
                    ["description"] = "Variables used as {{ name }} in strings; --var name=value overrides.",
                    ["additionalProperties"] = new JsonObject { ["type"] = Array("string", "number", "boolean") },
                },
                ["phases"] = new JsonObject
                {
                    ["type"] = "array",
                    ["minItems"] = 1,
                    ["items"] = Closed(
                        new JsonObject
                        {
                            ["name"] = Text("The phase's name (stop, change, verify, …)."),
                            ["steps"] = new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = new JsonObject { ["oneOf"] = kinds } },
                        },
                        "name",
                        "steps"),
                },
            },
        };
    }

    private static JsonObject HostCountSchema(string description) => new()
    {
        ["type"] = Array("integer", "string"),
        ["pattern"] = "^[0-9]+%?$",
        ["description"] = description + " A number of hosts, or a share such as 25%.",
    };

    private static JsonObject StepSchema(IStepKind kind)
    {
        var properties = new JsonObject
        {
            ["id"] = new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z0-9][a-z0-9-]*$", ["description"] = "Unique step id." },
            ["kind"] = new JsonObject { ["const"] = kind.Name, ["description"] = kind.Summary },
            ["description"] = Text("What the step is for, for people."),
            ["check"] = Text("Shell command on the host: exit 0 means the step already took effect."),
            ["undo"] = Text(kind.Undo == UndoSupport.Declared
                ? "Shell command that undoes the step, or 'none' (with undo-reason)."
                : "Overrides the derived undo with a shell command, or 'none' (with undo-reason)."),
            ["undo-reason"] = Text("Why the step has no undo."),
            ["timeout"] = Duration("Time limit of one attempt (default 5m)."),
            ["retries"] = new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = 10, ["description"] = "Extra attempts on failure." },
            ["retry-delay"] = Duration("Pause between attempts (default 1s)."),
        };
        var required = new List<string> { "id", "kind" };
        foreach (var field in kind.Fields)
        {
            properties[field.Name] = Field(field);
            if (field.Required)
            {
                required.Add(field.Name);
            }
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["title"] = kind.Name,
            ["description"] = kind.Summary,
            ["additionalProperties"] = false,
            ["required"] = Array([.. required]),
            ["properties"] = properties,
        };
    }

    private static JsonObject Field(OptionField field)
    {
        if (field.Allowed is { } allowed)
        {
            return Enum(allowed, field.Description);
        }

        return field.Type switch
        {
            OptionType.Integer => new JsonObject { ["type"] = Array("integer", "string"), ["description"] = field.Description },
            OptionType.Boolean => new JsonObject { ["type"] = "boolean", ["description"] = field.Description },
            OptionType.Duration => Duration(field.Description),
            OptionType.StringList => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" }, ["description"] = field.Description },
            OptionType.StringMap => new JsonObject { ["type"] = "object", ["description"] = field.Description },
            OptionType.MapList => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "object" }, ["description"] = field.Description },
            _ => Text(field.Description),
        };
    }

    private static JsonObject Closed(JsonObject properties, params string[] required) => new()
    {
        ["type"] = "object",
        ["additionalProperties"] = false,
        ["required"] = Array(required),
        ["properties"] = properties,
    };

    private static JsonObject Text(string description) => new() { ["type"] = "string", ["description"] = description };

    private static JsonObject Duration(string description) => new()
    {
        ["type"] = "string",
        ["pattern"] = @"^(\d+(\.\d+)?(ms|s|m|h))+$",
        ["description"] = description,
    };

    private static JsonObject Enum(IEnumerable<string> values, string description) =>
        new() { ["enum"] = Array([.. values]), ["description"] = description };

    private static JsonArray Array(params string[] values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);

    /// <summary><c>fingerprint:</c>: what a host's fingerprint covers, and the differences expected.</summary>
    private static JsonObject FingerprintSchema()
    {
        var strings = (string description) => new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" }, ["description"] = description };
        return new JsonObject
        {
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["description"] = "What `downshift fingerprint` covers on each host beyond packages, services, users, groups, sudoers and ports (P8, P9, V6).",
            ["properties"] = new JsonObject
            {
                ["paths"] = strings("Absolute config paths: files, or directories walked (SHA-256, mode, owner, group, type, link target)."),
                ["suid-dirs"] = strings("Absolute directories searched for SUID/SGID files."),
                ["services"] = strings("LSB init scripts (/etc/init.d/NAME status) whose state is recorded."),
                ["databases"] = new JsonObject
                {
                    ["type"] = "array",
                    ["description"] = "Databases, each a map like a step's 'database:' (schema hash, per-table row counts and checksums).",
                    ["items"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["additionalProperties"] = false,
                        ["required"] = Array("engine"),
                        ["properties"] = new JsonObject
                        {
                            ["engine"] = Enum([Databases.DatabaseTarget.PostgreSql, Databases.DatabaseTarget.Sqlite], "The database engine."),
                            ["name"] = Text("PostgreSQL: the database's name."),
                            ["host"] = Text("PostgreSQL: server address or socket directory."),
                            ["port"] = new JsonObject { ["type"] = Array("integer", "string"), ["description"] = "PostgreSQL: the server's port." },
                            ["user"] = Text("PostgreSQL: the role."),
                            ["password-env"] = Text("PostgreSQL: the controller's environment variable holding the password."),
                            ["run-as"] = Text("PostgreSQL: the OS user the clients run as on the host."),
                            ["path"] = Text("SQLite: the database file's absolute path."),
                        },
                    },
                },
                ["expect-differences"] = new JsonObject
                {
                    ["type"] = "array",
                    ["description"] = "Differences allowed between two fingerprints, each declared with its reason.",
                    ["items"] = Closed(
                        new JsonObject
                        {
                            ["what"] = new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z*]+:.+$", ["description"] = "SECTION:GLOB, e.g. files:/var/log/** or packages:shopd." },
                            ["reason"] = Text("Why this difference is expected."),
                        },
                        "what",
                        "reason"),
                },
            },
        };
    }

    /// <summary><c>monitor.prometheus</c>: the server and its named queries (metrics prom.NAME).</summary>
    private static JsonObject PrometheusSchema()
    {
        var schema = Closed(
            new JsonObject
            {
                ["url"] = Text("The Prometheus server, e.g. http://prometheus:9090 ({{ host.address }} is filled in per host)."),
                ["timeout"] = Duration("The bound of one query (default 5s; never more than the interval)."),
                ["queries"] = new JsonObject
                {
                    ["type"] = "array",
                    ["minItems"] = 1,
                    ["description"] = "PromQL instant queries run every interval; each value is the metric prom.NAME. Failed or empty: missing, never 0.",
                    ["items"] = Closed(
                        new JsonObject
                        {
                            ["name"] = new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z0-9_][a-z0-9_-]*$", ["description"] = "The metric's name: prom.NAME." },
                            ["query"] = Text("PromQL; {{ host.address }}, {{ host.name }}, … are filled in per host."),
                            ["reduce"] = new JsonObject { ["type"] = "string", ["pattern"] = "^(sum|by [A-Za-z_][A-Za-z0-9_]*)$", ["description"] = "sum (default): all series added up; by LABEL: the series whose LABEL is the host's address (any port)." },
                        },
                        "name",
                        "query"),
                },
            },
            "url",
            "queries");
        schema["description"] = "A Prometheus queried every interval (issue 5 section 2).";
        return schema;
    }

    /// <summary><c>hosts:</c> items: a host or group name (or 'local'), or an inline host.</summary>
    private static JsonObject HostsSchema() => new()
    {
        ["type"] = "array",
        ["items"] = new JsonObject
        {
            ["oneOf"] = new JsonArray(
                Text("A host or group of the inventory, or 'local'."),
                Closed(
                    new JsonObject
                    {
                        ["name"] = Text("The host's name (journal, leases, output)."),
                        ["address"] = Text("Address to connect to (default: the name)."),
                        ["port"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 65535 },
                        ["user"] = Text("SSH user (default: --ssh-user, else root)."),
                        ["key"] = Text("Private key file, relative to the plan."),
                        ["become"] = new JsonObject { ["type"] = "boolean", ["description"] = "Run commands through sudo -n." },
                    },
                    "name")),
        },
    };
}
