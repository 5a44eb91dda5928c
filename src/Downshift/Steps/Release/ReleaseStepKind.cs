using Downshift.Steps.Internal;
using Downshift.Steps.Release.Internal;

namespace Downshift.Steps.Release;

/// <summary>
/// The <c>release</c> step kind (manual installs): unpack an archive into <c>ROOT/releases/VERSION</c>
/// and switch the <c>ROOT/current</c> symlink to it atomically; undo switches it back.
/// </summary>
public sealed class ReleaseStepKind : IStepKind
{
    public const string KindName = "release";

    public string Name => KindName;

    public string Summary => "Unpack a release archive beside the others and switch the 'current' symlink to it; undo switches back.";

    public UndoSupport Undo => UndoSupport.Derived;

    public IReadOnlyList<OptionField> Fields { get; } =
    [
        new("archive", OptionType.String, "The .tar.gz on the controller, relative to the plan.", Required: true),
        new("root", OptionType.String, "Directory on the host holding releases/ and the current symlink.", Required: true),
        new("version", OptionType.String, "Release name: unpacked as ROOT/releases/VERSION.", Required: true),
        new("strip-components", OptionType.Integer, "Leading path components to drop from the archive's entries (default 0)."),
    ];

    public StepOptions? Bind(IStepOptionsReader reader)
    {
        var archive = reader.String("archive", required: true);
        var root = reader.String("root", required: true);
        var version = reader.String("version", required: true);
        var strip = reader.Has("strip-components") ? reader.Integer("strip-components", min: 0, max: 64) : 0;

        var ok = archive is not null && root is not null && version is not null && strip is not null;
        ok &= OptionChecks.AbsolutePath(reader, "root", root);
        if (archive is { Length: 0 })
        {
            ok = OptionChecks.Fail(reader, "archive", "'archive' must not be empty");
        }

        if (version is not null && (version.Length == 0 || version.Contains('/') || version.StartsWith('.') || version.Any(char.IsControl)))
        {
            ok = OptionChecks.Fail(reader, "version", $"'version' must be a plain directory name (no '/', not starting with '.'), got '{version}'");
        }

        return ok
            ? new ReleaseOptions { Archive = archive!, Root = root!.TrimEnd('/'), Version = version!, StripComponents = strip!.Value }
            : null;
    }

    public IStepExecutor CreateExecutor(StepOptions options) =>
        new ReleaseExecutor(options as ReleaseOptions
            ?? throw DownshiftException.Internal($"release step got {options.GetType().Name}"));
}
