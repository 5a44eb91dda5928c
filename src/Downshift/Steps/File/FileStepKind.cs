using Downshift.Steps.File.Internal;
using Downshift.Steps.Internal;

namespace Downshift.Steps.File;

/// <summary>The <c>file</c> step kind: put a file or directory in place; undo restores the original (or its absence).</summary>
public sealed class FileStepKind : IStepKind
{
    public const string KindName = "file";

    public string Name => KindName;

    public string Summary => "Put a file or directory in place; undo restores the original (or its absence).";

    public UndoSupport Undo => UndoSupport.Derived;

    public IReadOnlyList<OptionField> Fields { get; } =
    [
        new("path", OptionType.String, "Destination on the host (absolute path).", Required: true),
        new("source", OptionType.String, "File or directory on the controller, relative to the plan (or give content)."),
        new("content", OptionType.String, "The file's text (or give source)."),
        new("mode", OptionType.String, "Octal mode such as \"0644\"; for a directory, of its top. Default: keep the replaced file's."),
        new("owner", OptionType.String, "\"user:group\"; for a directory, recursive. Default: keep the replaced file's."),
    ];

    public StepOptions? Bind(IStepOptionsReader reader)
    {
        var path = reader.String("path", required: true);
        var source = reader.String("source");
        var content = reader.String("content");
        var mode = reader.String("mode");
        var owner = reader.String("owner");

        var ok = path is not null && OptionChecks.AbsolutePath(reader, "path", path);
        ok &= OptionChecks.Mode(reader, "mode", mode);
        ok &= OptionChecks.Owner(reader, "owner", owner);
        if (source is not null && content is not null)
        {
            ok = OptionChecks.Fail(reader, "content", "give either 'source' or 'content', not both");
        }
        else if (source is null && content is null)
        {
            // When either key is present but unreadable, the reader has already said why.
            _ = reader.Has("source") || reader.Has("content") ||
                OptionChecks.Fail(reader, "path", "a file step needs 'source' (a file or directory on the controller) or 'content'");
            ok = false;
        }
        else if (source is { Length: 0 })
        {
            ok = OptionChecks.Fail(reader, "source", "'source' must not be empty");
        }

        return ok && path is not null
            ? new FileOptions { Path = path, Source = source, Content = content, Mode = mode, Owner = owner }
            : null;
    }

    public IStepExecutor CreateExecutor(StepOptions options) =>
        new FileExecutor(options as FileOptions
            ?? throw DownshiftException.Internal($"file step got {options.GetType().Name}"));
}
