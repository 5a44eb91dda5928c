using Downshift.Inventory.Internal;
using Downshift.Plans;

namespace Downshift.Inventory;

/// <summary>
/// Reads an Ansible inventory file, INI or YAML (by extension: <c>.yml</c>/<c>.yaml</c> are YAML, anything
/// else is INI, as Ansible's plugins decide). Every error is reported, each with its file:line:col.
/// </summary>
public static class InventoryLoader
{
    public static async Task<InventoryLoadResult> LoadFileAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new InventoryLoadResult(null, [new PlanError(new SourceLocation(path, 0, 0, ""), $"cannot read the inventory: {e.Message}")]);
        }

        return Load(path, text);
    }

    public static InventoryLoadResult Load(string path, string text)
    {
        var errors = new PlanErrors();
        var builder = new InventoryBuilder(path, errors);
        if (IsYaml(path))
        {
            YamlInventoryReader.Read(text, builder);
        }
        else
        {
            IniInventoryReader.Read(text, builder);
        }

        var inventory = builder.Build();
        return errors.Any ? new InventoryLoadResult(null, errors.Sorted()) : new InventoryLoadResult(inventory, []);
    }

    private static bool IsYaml(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".yml" or ".yaml";
}
