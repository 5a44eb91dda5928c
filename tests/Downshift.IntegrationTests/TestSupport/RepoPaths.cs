namespace Downshift.IntegrationTests.TestSupport;

/// <summary>Paths in the repository the tests run from.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Shop => Path.Combine(Root, "examples", "shop");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Downshift.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Downshift.sln above {AppContext.BaseDirectory}");
    }
}
