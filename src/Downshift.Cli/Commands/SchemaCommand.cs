using System.CommandLine;
using Downshift.Plans;

namespace Downshift.Cli.Commands;

/// <summary><c>downshift schema</c>: the plan's JSON Schema, for editors.</summary>
internal static class SchemaCommand
{
    public static Command Create(CliOptions options)
    {
        var command = new Command("schema", "Print the plan file's JSON Schema (for editor completion).");
        command.SetAction(parse =>
        {
            options.Ui(parse).Data(PlanSchema.Render());
            return ExitCodes.Success;
        });
        return command;
    }
}
