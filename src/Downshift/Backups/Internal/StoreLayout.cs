using System.Security.Cryptography;
using System.Text;

namespace Downshift.Backups.Internal;

/// <summary>Names inside the store directory (docs/backups.md, "Layout").</summary>
internal static class StoreLayout
{
    /// <summary>A backup being written; renamed to its id on commit.</summary>
    public const string TempPrefix = ".tmp-";

    /// <summary>A backup being deleted by retention.</summary>
    public const string DeletePrefix = ".del-";

    /// <summary>A verification's scratch directory (by <see cref="BackupVerifier"/>'s callers' convention).</summary>
    public const string VerifyPrefix = ".verify-";

    /// <summary>Beside a temp or scratch directory: held (flock) while it is in use.</summary>
    public const string LockSuffix = ".lock";

    public const string Manifest = "manifest.json";

    public const string Verification = "verification.json";

    public static string NewId(DateTimeOffset at, string host) =>
        $"{at.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Slug(host)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";

    /// <summary>Whether <paramref name="id"/> (made by <see cref="NewId"/>) names a backup of <paramref name="host"/>: read from the name, no manifest opened.</summary>
    public static bool IsOfHost(string id, string host) =>
        id.Length > 22 && id[16] == '-' && id[^5] == '-' && id[17..^5] == Slug(host);

    /// <summary>Whether a directory name can be a backup's id (not hidden, no path separators).</summary>
    public static bool IsId(string name) =>
        name.Length is > 0 and < 200 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    /// <summary>The blob's file name for an item: safe characters kept, the rest as <c>%XX</c>.</summary>
    public static string BlobName(string item, string suffix)
    {
        var name = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(item))
        {
            var c = (char)b;
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' || (c == '.' && name.Length > 0) ? c : $"%{b:X2}");
        }

        return name + suffix;
    }

    private static string Slug(string host)
    {
        var slug = new string([.. host.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_')]);
        return slug.Length == 0 ? "host" : slug[..Math.Min(slug.Length, 40)];
    }
}
