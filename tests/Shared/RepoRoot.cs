namespace Downshift.Testing;

/// <summary>The clone the tests run from: the nearest directory above the test binaries that holds Downshift.sln.</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find();

    /// <summary>examples/shop: the demo system, its packages and plans.</summary>
    public static string Shop => Combine("examples", "shop");

    /// <summary>An absolute path inside the clone.</summary>
    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Downshift.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Downshift.sln above {AppContext.BaseDirectory}");
    }
}
