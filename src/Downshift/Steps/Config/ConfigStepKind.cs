using Downshift.Steps.Config.Internal;
using Downshift.Steps.Internal;

namespace Downshift.Steps.Config;

/// <summary>
/// The <c>config</c> step kind: set, rename and remove keys in a config file (ini, key-value, yaml,
/// json), deal with package-manager leftovers, and restore the original byte for byte on undo.
/// </summary>
public sealed class ConfigStepKind : IStepKind
{
    public const string KindName = "config";

    private static readonly IReadOnlyList<string> FormatNames = ["ini", "keyvalue", "yaml", "json"];

    public string Name => KindName;

    public string Summary => "Edit a config file (set, rename, remove keys); undo restores the original byte for byte.";

    public UndoSupport Undo => UndoSupport.Derived;

    public IReadOnlyList<OptionField> Fields { get; } =
    [
        new("path", OptionType.String, "The config file on the host (absolute path).", Required: true),
        new("format", OptionType.String, "ini, keyvalue, yaml or json; default from the extension (.ini/.cfg, .yaml/.yml, .json, else keyvalue).", Allowed: FormatNames),
        new("set", OptionType.StringMap, "Keys to set (ini: section.key; yaml/json: dotted paths)."),
        new("rename", OptionType.StringMap, "Old key to new key; a missing old key is a no-op."),
        new("remove", OptionType.StringList, "Keys to remove; a missing key is a no-op."),
        new("package-default", OptionType.Boolean, "Edit the package's new default (.dpkg-dist/.rpmnew) when one was left (default false)."),
        new("carry", OptionType.StringList, "With package-default: keys whose values are copied from the current file."),
    ];

    public StepOptions? Bind(IStepOptionsReader reader)
    {
        var path = reader.String("path", required: true);
        var formatName = reader.Has("format") ? reader.OneOf("format", FormatNames) : null;
        var set = reader.Has("set") ? reader.StringMap("set") : new Dictionary<string, ScalarValue>();
        var rename = reader.Has("rename") ? reader.StringMap("rename") : new Dictionary<string, ScalarValue>();
        var remove = reader.Has("remove") ? reader.StringList("remove") : [];
        var packageDefault = reader.Has("package-default") ? reader.Boolean("package-default") : false;
        var carry = reader.Has("carry") ? reader.StringList("carry") : [];

        var ok = path is not null && OptionChecks.AbsolutePath(reader, "path", path);
        ok &= !reader.Has("format") || formatName is not null;
        if (set is null || rename is null || remove is null || packageDefault is null || carry is null)
        {
            return null;
        }

        var format = formatName is null ? ConfigFormats.FromPath(path ?? "") : Enum.Parse<ConfigFormat>(formatName, ignoreCase: true);
        var renames = rename.ToDictionary(r => r.Key, r => r.Value.Text, StringComparer.Ordinal);
        ok &= ConfigBindChecks.Keys(reader, format, set.Keys, renames, remove, carry);
        ok &= ConfigBindChecks.Conflicts(reader, set.Keys, renames, remove);
        if (carry.Count > 0 && packageDefault != true)
        {
            ok = OptionChecks.Fail(reader, "carry", "'carry' only applies with 'package-default: true'");
        }

        if (set.Count == 0 && renames.Count == 0 && remove.Count == 0 && packageDefault != true)
        {
            ok = OptionChecks.Fail(reader, "path", "a config step needs at least one of 'set', 'rename', 'remove' or 'package-default: true'");
        }

        return ok && path is not null
            ? new ConfigOptions
            {
                Path = path,
                Format = format,
                Set = set,
                Rename = renames,
                Remove = remove,
                PackageDefault = packageDefault == true,
                Carry = carry,
            }
            : null;
    }

    public IStepExecutor CreateExecutor(StepOptions options) =>
        new ConfigExecutor(options as ConfigOptions
            ?? throw DownshiftException.Internal($"config step got {options.GetType().Name}"));
}
