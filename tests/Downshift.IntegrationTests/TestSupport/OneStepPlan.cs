namespace Downshift.IntegrationTests.TestSupport;

/// <summary>A plan of one step on the named hosts (names or inventory groups), written to a file.</summary>
internal static class OneStepPlan
{
    /// <summary>Writes the plan to PATH; INVENTORY (a path relative to the plan, or absolute) becomes its <c>inventory:</c> key.</summary>
    public static async Task<string> WriteAsync(string path, string name, string hosts, string step, string? inventory = null)
    {
        var inventoryLine = inventory is null ? "" : $"inventory: {inventory}\n";
        await File.WriteAllTextAsync(path, $$"""
            downshift: 1
            name: {{name}}
            reason: {kind: other, detail: "one-step test plan"}
            scope: {kind: system}
            from: "1"
            to: "0"
            {{inventoryLine}}hosts: [{{hosts}}]
            phases:
              - name: change
                steps:
                  - {{step}}
            """, TestContext.Current.CancellationToken);
        return path;
    }
}
