using System.CommandLine;
using Downshift.Plans;
using Spectre.Console;

namespace Downshift.Cli.Commands;

/// <summary>Loads the plan a command names; on errors prints all of them (stderr) and says so.</summary>
internal static class PlanInput
{
    public static Argument<string> Argument() => new("plan") { Description = "The plan file (YAML)." };

    public static async Task<Plan?> LoadAsync(
        string path, CliOptions options, ParseResult parse, ConsoleUi ui, CancellationToken cancellationToken)
    {
        var variables = options.Variables(parse, ui);
        if (variables is null)
        {
            return null;
        }

        var result = await PlanLoader.LoadFileAsync(path, variables, new PlanLoadOptions { InventoryPath = parse.GetValue(options.Inventory) }, cancellationToken);
        foreach (var error in result.Errors)
        {
            ui.Error.WriteLine(error.ToString());
        }

        if (!result.IsValid)
        {
            ui.Error.WriteLine($"{path}: {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}; the plan was not run");
            return null;
        }

        return result.Plan;
    }
}
