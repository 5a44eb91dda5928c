namespace Downshift.Lab.Internal;

/// <summary>A repository with no packages (deb/Packages empty, rpm/ with createrepo_c metadata), for a lab given none.</summary>
internal static class EmptyRepository
{
    public static async Task CreateAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(directory, "deb"));
        Directory.CreateDirectory(Path.Combine(directory, "rpm"));
        await File.WriteAllTextAsync(Path.Combine(directory, "deb", "Packages"), "", cancellationToken);
        if (File.Exists("/usr/bin/createrepo_c"))
        {
            await Run.CheckedAsync("/usr/bin/createrepo_c", ["-q", Path.Combine(directory, "rpm")], cancellationToken);
        }
    }
}
