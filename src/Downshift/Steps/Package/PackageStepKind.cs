using System.Text.RegularExpressions;
using Downshift.Steps.Internal;
using Downshift.Steps.Package.Internal;

namespace Downshift.Steps.Package;

/// <summary>
/// The <c>package</c> step kind: install an exact version of a package with apt/dpkg or dnf/rpm,
/// never interactively. Staging (before the service stops) saves the target and the installed
/// package files on the host and refuses a change that would remove or change packages the plan did
/// not allow; undo reinstalls the saved previous package and restores the hold state.
/// </summary>
public sealed partial class PackageStepKind : IStepKind
{
    public const string KindName = "package";

    public string Name => KindName;

    public string Summary => "Install an exact package version (apt/dpkg or dnf/rpm), saving both packages first; undo reinstalls the previous one.";

    public UndoSupport Undo => UndoSupport.Derived;

    public IReadOnlyList<OptionField> Fields { get; } =
    [
        new("name", OptionType.String, "The package's name.", Required: true),
        new("version", OptionType.String, "The exact version to install (dpkg version, or rpm VERSION or VERSION-RELEASE).", Required: true),
        new("manager", OptionType.String, "The package manager; auto picks apt when dpkg-query exists on the host, else dnf.", Allowed: PackageDefaults.Managers),
        new("hold", OptionType.Boolean, "Hold the package at this version afterwards (dpkg selection hold as apt-mark sets it, dnf versionlock or exclude=); default true."),
        new("conffiles", OptionType.String, "An edited conffile: keep the admin's (default) or take the package's.", Allowed: PackageDefaults.ConffilePolicies),
        new("allow-changes", OptionType.StringList, "Other packages the change may install, upgrade or downgrade; any other change, and any removal, fails staging."),
    ];

    public StepOptions? Bind(IStepOptionsReader reader)
    {
        var name = reader.String("name", required: true);
        var version = reader.String("version", required: true);
        var manager = reader.OneOf("manager", PackageDefaults.Managers) ?? "auto";
        var hold = reader.Has("hold") ? reader.Boolean("hold") : true;
        var conffiles = reader.OneOf("conffiles", PackageDefaults.ConffilePolicies) ?? "keep";
        var allow = reader.Has("allow-changes") ? reader.StringList("allow-changes") : [];

        var ok = name is not null && version is not null && hold is not null && allow is not null;
        ok &= name is null || NamePattern().IsMatch(name) ||
              OptionChecks.Fail(reader, "name", $"'name' must be a package name (letters, digits, '.+-_'), got '{name}'");
        ok &= version is null || VersionPattern().IsMatch(version) ||
              OptionChecks.Fail(reader, "version", $"'version' must be a package version such as 2.1.0 or 1:2.1.0-3, got '{version}'");
        foreach (var other in allow ?? [])
        {
            ok &= NamePattern().IsMatch(other) ||
                  OptionChecks.Fail(reader, "allow-changes", $"'allow-changes' must list package names, got '{other}'");
        }

        return ok
            ? new PackageOptions
            {
                Name = name!,
                Version = version!,
                Manager = manager,
                Hold = hold!.Value,
                Conffiles = conffiles == "new" ? ConffilePolicy.New : ConffilePolicy.Keep,
                AllowChanges = allow!,
            }
            : null;
    }

    public IStepExecutor CreateExecutor(StepOptions options) =>
        new PackageExecutor(options as PackageOptions
            ?? throw DownshiftException.Internal($"package step got {options.GetType().Name}"));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9.+_-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^([0-9]+:)?[A-Za-z0-9][A-Za-z0-9.+~_-]*$")]
    private static partial Regex VersionPattern();
}
