namespace Downshift.Steps;

/// <summary>The registry of step kinds: one line per kind.</summary>
public static class StepKinds
{
    public static IReadOnlyList<IStepKind> All { get; } =
    [
        new Shell.ShellStepKind(),
        new Service.ServiceStepKind(),
        new HttpCheck.HttpCheckStepKind(),
        new File.FileStepKind(),
        new Config.ConfigStepKind(),
        new Release.ReleaseStepKind(),
        new Package.PackageStepKind(),
        new Backup.BackupStepKind(),
        new Migrate.MigrateStepKind(),
    ];

    public static IStepKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);
}
