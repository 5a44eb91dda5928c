namespace Downshift.IntegrationTests.Fleet;

/// <summary>A plan of one step on the named hosts (names or inventory groups), written to a file.</summary>
internal static class OneStepPlan
{
    public static async Task<string> WriteAsync(string path, string name, string hosts, string step)
    {
        await File.WriteAllTextAsync(path, $$"""
            downshift: 1
            name: {{name}}
            reason: {kind: other, detail: "fleet test"}
            scope: {kind: system}
            from: "1"
            to: "0"
            hosts: [{{hosts}}]
            phases:
              - name: change
                steps:
                  - {{step}}
            """, TestContext.Current.CancellationToken);
        return path;
    }
}
