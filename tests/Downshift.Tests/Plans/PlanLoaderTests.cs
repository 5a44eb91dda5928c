using System.Text.Json;
using Downshift.Plans;
using Downshift.Steps;
using Downshift.Steps.HttpCheck;
using Downshift.Steps.Shell;

namespace Downshift.Tests.Plans;

public sealed class PlanLoaderTests
{
    private const string File = "plan.yaml";

    private static readonly Dictionary<string, string> NoOverrides = [];

    /// <summary>A small valid plan; {{ STEPS }} is replaced by the steps of its one phase.</summary>
    private const string Valid = """
        downshift: 1
        name: small
        reason:
          kind: bug
          detail: 2.0 loses writes
        scope:
          kind: system
        from: "2.0"
        to: "1.9"
        vars:
          greeting: hello
        phases:
          - name: change
            steps:
              - id: say
                kind: shell
                command: "echo {{ greeting }}"
                undo: "echo undo"
        """;

    [Fact]
    public async Task LoadFileAsync_ShopExample_LoadsWithVariablesResolved()
    {
        // Given the shop example and the variables a demo install passes
        var path = RepoRoot.Combine("examples", "shop", "plan.yaml");
        var overrides = new Dictionary<string, string> { ["prefix"] = "/tmp/shop", ["port"] = "18123" };

        // When
        var result = await PlanLoader.LoadFileAsync(path, overrides, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // Then it is valid, its steps are all there, and {{ var }} is resolved (overrides and plan vars)
        Assert.Empty(result.Errors);
        Assert.True(result.IsValid);
        var plan = result.Plan!;
        Assert.Equal("shop-2.3-to-2.1", plan.Name);
        Assert.Equal(("2.3.0", "2.1.0"), (plan.FromVersion, plan.ToVersion));
        Assert.Equal(["prepare", "stop", "change", "start", "verify"], plan.Phases.Select(p => p.Name));
        Assert.Equal(
            ["check-running-2-3", "stop-shopd", "switch-release", "migrate-config", "start-shopd", "health-is-2-1", "order-1", "order-2", "order-3"],
            plan.Steps.Select(s => s.Id));
        Assert.Equal(Enumerable.Range(0, 9), plan.Steps.Select(s => s.Index));
        Assert.Equal("18123", plan.Variables["port"]);
        Assert.Equal("./dist", plan.Variables["dist"]);
        var health = Assert.IsType<HttpCheckOptions>(plan.Steps.First().Options);
        Assert.Equal("http://127.0.0.1:18123/health", health.Url);
        Assert.Equal("2.3.0", health.ExpectJson["$.version"]);
        Assert.DoesNotContain(plan.Steps, s => (s.Description ?? "").Contains("{{", StringComparison.Ordinal));
        Assert.Equal(PlanLoader.HashOf(await System.IO.File.ReadAllTextAsync(path, TestContext.Current.CancellationToken)), plan.ContentHash);
    }

    [Fact]
    public void Load_ValidPlan_MapsCommonKeysAndDefaults()
    {
        // Given / When
        var result = PlanLoader.Load(File, Valid, NoOverrides);

        // Then
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var step = Assert.Single(result.Plan!.Steps);
        Assert.Equal("echo hello", Assert.IsType<ShellOptions>(step.Options).Command);
        Assert.Equal(new UndoSpec(UndoMode.Command, Command: "echo undo"), step.Undo);
        Assert.Equal(PlanDefaults.StepTimeout, step.Timeout);
        Assert.Equal(PlanDefaults.Retries, step.Retries);
        Assert.Equal(new SourceLocation(File, 15, 9, "phases[0].steps[0]"), step.Location);
    }

    /// <summary>One plan with a mistake on (nearly) every line that carries a "# Ex" marker.</summary>
    private const string Broken = """
        downshift: 1
        name: broken
        reasn: typo
        reason:
          kind: bug
          detail: it breaks
        scope:
          kind: system
        from: "2.0"
        to: "2.0"
        vars:
          dir: /tmp/x
        phases:
          - name: one
            steps:
              - id: a
                kind: shell
                command: "echo {{ dir }}"
                undo: "true"
                retires: 2
              - id: b
                kind: shel
              - id: c
                kind: shell
                command: "true"
                undo: "true"
                timeout: 5 minutes
                retries: 11
              - id: a
                kind: shell
                command: "true"
                undo: "true"
          - name: one
            steps:
              - id: d
                kind: shell
                command: "true"
              - id: e
                kind: shell
                command: "true"
                undo: none
              - id: f
                kind: shell
                command: "true"
                undo: "true"
                undo-reason: because
              - id: g
                kind: shell
                command: "echo {{ nope }}"
                undo: "true"
              - id: h
                kind: http-check
                url: "http://127.0.0.1:1/"
                undo: "true"
        """;

    [Fact]
    public void Load_PlanWithManyMistakes_ReportsEveryOneAtItsPosition()
    {
        // Given a plan with fourteen independent mistakes / When loaded
        var result = PlanLoader.Load(File, Broken, NoOverrides);

        // Then there is no plan, and every mistake is reported where it is, with its YAML path
        Assert.Null(result.Plan);
        Assert.False(result.IsValid);
        var errors = result.Errors;
        AssertError(errors, (3, 1), "reasn", "unknown key 'reasn' in the plan; did you mean 'reason'?");
        AssertError(errors, (10, 5), "to", "'from' and 'to' are both '2.0'");
        AssertError(errors, (20, 9), "phases[0].steps[0].retires", "unknown key 'retires' in a 'shell' step; did you mean 'retries'?");
        AssertError(errors, (22, 15), "phases[0].steps[1].kind", "unknown step kind 'shel'; known kinds: shell, service, http-check");
        AssertError(errors, (27, 18), "phases[0].steps[2].timeout", "'timeout' must be a positive duration such as 500ms, 30s, 5m or 1h, not '5 minutes'");
        AssertError(errors, (28, 18), "phases[0].steps[2].retries", "'retries' must be between 0 and 10, not 11");
        AssertError(errors, (29, 13), "phases[0].steps[3].id", "step id 'a' is used twice");
        AssertError(errors, (33, 11), "phases[1].name", "phase 'one' appears twice");
        AssertError(errors, (35, 9), "phases[1].steps[0]", "a 'shell' step has no undo of its own: declare 'undo: COMMAND', or 'undo: none' with an 'undo-reason'");
        AssertError(errors, (41, 15), "phases[1].steps[1].undo", "'undo: none' needs an 'undo-reason'");
        AssertError(errors, (46, 22), "phases[1].steps[2].undo-reason", "'undo-reason' goes with 'undo: none'");
        AssertError(errors, (49, 18), "phases[1].steps[3].command", "unknown variable 'nope' (declare it under 'vars:' or pass --var nope=VALUE)");
        AssertError(errors, (54, 15), "phases[1].steps[4].undo", "a 'http-check' step changes nothing, so it takes no 'undo'");
        Assert.Equal(13, errors.Count);
        Assert.All(errors, e => Assert.Equal(File, e.Location.File));
    }

    [Fact]
    public void Load_PlanWithManyMistakes_ErrorsAreSortedByPosition()
    {
        // Given / When
        var errors = PlanLoader.Load(File, Broken, NoOverrides).Errors;

        // Then
        Assert.True(errors.Count > 1);
        Assert.Equal(errors.OrderBy(e => e.Location.Line).ThenBy(e => e.Location.Column), errors);
    }

    [Fact]
    public void PlanError_ToString_FileLineColMessageAndPath()
    {
        // Given the unknown top-level key / When rendered
        var error = PlanLoader.Load(File, Broken, NoOverrides).Errors[0];

        // Then
        Assert.Equal("plan.yaml:3:1: unknown key 'reasn' in the plan; did you mean 'reason'? (at reasn)", error.ToString());
    }

    [Fact]
    public void Load_MissingFromAndTo_ReportsBoth()
    {
        // Given a plan without 'from' and 'to'
        var text = Valid.Replace("from: \"2.0\"\n", "", StringComparison.Ordinal).Replace("to: \"1.9\"\n", "", StringComparison.Ordinal);

        // When
        var result = PlanLoader.Load(File, text, NoOverrides);

        // Then both are reported, at the top-level mapping
        Assert.Null(result.Plan);
        AssertError(result.Errors, (1, 1), "", "missing required key 'from'");
        AssertError(result.Errors, (1, 1), "", "missing required key 'to'");
        Assert.Equal(2, result.Errors.Count);
    }

    [Fact]
    public void Load_VarOverride_WinsOverPlanVars()
    {
        // Given a plan that declares greeting: hello, and --var greeting=bonjour
        var overrides = new Dictionary<string, string> { ["greeting"] = "bonjour" };

        // When
        var result = PlanLoader.Load(File, Valid, overrides);

        // Then
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal("bonjour", result.Plan!.Variables["greeting"]);
        Assert.Equal("echo bonjour", Assert.IsType<ShellOptions>(result.Plan.Steps.Single().Options).Command);
    }

    [Fact]
    public void Load_OverrideOfUndeclaredVariable_DefinesIt()
    {
        // Given a plan using {{ nope }} that it does not declare
        var text = Valid.Replace("{{ greeting }}", "{{ nope }}", StringComparison.Ordinal);

        // When loaded without and with --var nope=1
        var without = PlanLoader.Load(File, text, NoOverrides);
        var with = PlanLoader.Load(File, text, new Dictionary<string, string> { ["nope"] = "1" });

        // Then
        AssertError(without.Errors, (17, 18), "phases[0].steps[0].command", "unknown variable 'nope'");
        Assert.True(with.IsValid, string.Join("\n", with.Errors));
        Assert.Equal("echo 1", Assert.IsType<ShellOptions>(with.Plan!.Steps.Single().Options).Command);
    }

    [Fact]
    public void Load_InvalidYaml_OnePositionedError()
    {
        // Given a flow sequence that is never closed
        var text = "downshift: 1\nname: x\nhosts: [local\nphases: []\n";

        // When
        var result = PlanLoader.Load(File, text, NoOverrides);

        // Then exactly one error, positioned on the broken construct and without YamlDotNet's own position prefix
        Assert.Null(result.Plan);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("not valid YAML: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Line:", error.Message, StringComparison.Ordinal);
        Assert.Equal(File, error.Location.File);
        Assert.InRange(error.Location.Line, 3, 4);
        Assert.True(error.Location.Column >= 1);
    }

    [Fact]
    public void Load_MappingValueWhereNotAllowed_OneErrorAtThatLine()
    {
        // Given a second ':' on one line
        var text = "downshift: 1\nname: a: b\nphases: []\n";

        // When
        var result = PlanLoader.Load(File, text, NoOverrides);

        // Then
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("not valid YAML: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Line:", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Location.Line);
    }

    [Fact]
    public void Load_TwoDocuments_ErrorAtTheSecond()
    {
        // Given a valid plan followed by a second YAML document
        var text = Valid + "\n---\nname: other\n";

        // When
        var result = PlanLoader.Load(File, text, NoOverrides);

        // Then
        Assert.Null(result.Plan);
        var error = Assert.Single(result.Errors);
        Assert.Equal("a plan file holds one YAML document", error.Message);
        Assert.Equal((20, 1), (error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void Load_NotAMapping_OneError()
    {
        // Given / When
        var result = PlanLoader.Load(File, "- just\n- a list\n", NoOverrides);

        // Then
        var error = Assert.Single(result.Errors);
        Assert.Contains("must be a YAML mapping", error.Message, StringComparison.Ordinal);
        Assert.Equal((1, 1), (error.Location.Line, error.Location.Column));
    }

    [Fact]
    public void Load_UndoNoneWithReason_Valid()
    {
        // Given a shell step declared as not undoable, with its reason
        var text = Valid.Replace("undo: \"echo undo\"", "undo: none\n        undo-reason: it only reads", StringComparison.Ordinal);

        // When
        var result = PlanLoader.Load(File, text, NoOverrides);

        // Then
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(new UndoSpec(UndoMode.None, Reason: "it only reads"), result.Plan!.Steps.Single().Undo);
    }

    [Fact]
    public void Load_DurationsAndRetries_Parsed()
    {
        // Given
        var text = Valid.Replace("undo: \"echo undo\"", "undo: \"echo undo\"\n        timeout: 1m30s\n        retries: 10\n        retry-delay: 250ms", StringComparison.Ordinal);

        // When
        var step = PlanLoader.Load(File, text, NoOverrides).Plan!.Steps.Single();

        // Then
        Assert.Equal(TimeSpan.FromSeconds(90), step.Timeout);
        Assert.Equal(10, step.Retries);
        Assert.Equal(TimeSpan.FromMilliseconds(250), step.RetryDelay);
    }

    [Fact]
    public void Load_ChangedText_ChangesContentHash()
    {
        // Given the same plan twice and once with only a comment added
        var first = PlanLoader.Load(File, Valid, NoOverrides).Plan!;
        var again = PlanLoader.Load(File, Valid, NoOverrides).Plan!;
        var changed = PlanLoader.Load(File, "# reviewed\n" + Valid, NoOverrides).Plan!;

        // Then the hash is the text's SHA-256, stable for the same text and different for another
        Assert.Equal(first.ContentHash, again.ContentHash);
        Assert.NotEqual(first.ContentHash, changed.ContentHash);
        Assert.Equal(PlanLoader.HashOf(Valid), first.ContentHash);
        Assert.Matches("^[0-9a-f]{64}$", first.ContentHash);
    }

    [Fact]
    public void Render_Schema_ValidJsonNamingEveryKindAndField()
    {
        // Given / When
        using var schema = JsonDocument.Parse(PlanSchema.Render());

        // Then the steps' oneOf has one entry per registered kind, each with every field of that kind
        var steps = schema.RootElement.GetProperty("properties").GetProperty("phases").GetProperty("items")
            .GetProperty("properties").GetProperty("steps").GetProperty("items").GetProperty("oneOf");
        var byKind = steps.EnumerateArray().ToDictionary(s => s.GetProperty("properties").GetProperty("kind").GetProperty("const").GetString()!);
        Assert.Equal(StepKinds.All.Select(k => k.Name).Order(), byKind.Keys.Order());
        Assert.True(StepKinds.All.Count >= 6);
        foreach (var kind in StepKinds.All)
        {
            var properties = byKind[kind.Name].GetProperty("properties");
            var names = properties.EnumerateObject().Select(p => p.Name).ToHashSet();
            Assert.All(kind.Fields, f => Assert.Contains(f.Name, names));
            Assert.All(PlanKeys.StepCommon, k => Assert.Contains(k, names));
            var required = byKind[kind.Name].GetProperty("required").EnumerateArray().Select(r => r.GetString()).ToHashSet();
            Assert.All(kind.Fields.Where(f => f.Required), f => Assert.Contains(f.Name, required));
        }

        var topLevel = schema.RootElement.GetProperty("properties").EnumerateObject().Select(p => p.Name);
        Assert.Equal(PlanKeys.TopLevel.Order(), topLevel.Order());
    }

    private static void AssertError(IReadOnlyList<PlanError> errors, (int Line, int Column) at, string path, string message) =>
        PlanAssert.Error(errors, File, at, path, message);
}
