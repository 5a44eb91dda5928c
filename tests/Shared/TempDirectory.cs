namespace Downshift.Testing;

/// <summary>A fresh directory under /tmp (or $TMPDIR), deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "downshift-test-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    /// <summary>The directory's absolute path.</summary>
    public string Path { get; }

    /// <summary>An absolute path inside the directory.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // A test removed it already.
        }
    }

    public override string ToString() => Path;
}
