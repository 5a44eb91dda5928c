using System.Text.Json;

namespace Downshift.Lab.Internal;

/// <summary>
/// A lab's state file (<c>lab.json</c> in its directory), written before the first kernel object is
/// made, so <c>down</c> can clean up after a crash. Hosts record their unshare PID in <c>hN/unshare.pid</c>.
/// </summary>
internal sealed record LabState
{
    public const string FileName = "lab.json";

    public required string Name { get; init; }

    public required string Subnet { get; init; }

    public required int Hosts { get; init; }

    public required string LowerDirectory { get; init; }

    public required string RepositoryDirectory { get; init; }

    public int? RepositoryServerPid { get; init; }

    public LabNames Names => new(Name, Subnet);

    public static string PathIn(string labDirectory) => Path.Combine(labDirectory, FileName);

    public static async Task<LabState?> ReadAsync(string labDirectory, CancellationToken cancellationToken)
    {
        var path = PathIn(labDirectory);
        if (!File.Exists(path))
        {
            return null;
        }

        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<LabState>(stream, cancellationToken: cancellationToken);
    }

    public async Task WriteAsync(string labDirectory, CancellationToken cancellationToken)
    {
        var path = PathIn(labDirectory);
        await File.WriteAllTextAsync(path + ".tmp", JsonSerializer.Serialize(this, Indented), cancellationToken);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}
