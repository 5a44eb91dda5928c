using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Downshift.Fingerprints;

/// <summary>
/// A fingerprint as JSON (System.Text.Json): camelCase properties in declaration order, entry keys in
/// ordinal order, nulls left out, indented, no needless escapes (a version's <c>+</c> stays <c>+</c>). The same host state gives the same text but for
/// <c>takenAt</c>, <c>commands</c> and <c>seconds</c>.
/// </summary>
public static class FingerprintJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A comparison's differences as JSON objects: <c>{section, key, before, after, expected, expectedBy, reason}</c> (diff, rehearse).</summary>
    public static IEnumerable<object> Differences(FingerprintComparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return comparison.Differences.Select(d => new
        {
            section = d.Section,
            key = d.Key,
            before = d.Before,
            after = d.After,
            expected = d.Expected,
            expectedBy = d.ExpectedBy?.What,
            reason = d.ExpectedBy?.Reason,
        });
    }

    public static string Serialize(HostFingerprint fingerprint) => JsonSerializer.Serialize(fingerprint, Options);

    /// <summary>Reads a fingerprint; throws <see cref="DownshiftException"/> naming <paramref name="source"/> when it is not one, or of a newer format.</summary>
    public static HostFingerprint Deserialize(string json, string source)
    {
        HostFingerprint? fingerprint;
        try
        {
            fingerprint = JsonSerializer.Deserialize<HostFingerprint>(json, Options);
        }
        catch (JsonException e)
        {
            throw DownshiftException.InvalidState($"{source} is not a Downshift fingerprint: {e.Message}");
        }

        return fingerprint switch
        {
            null => throw DownshiftException.InvalidState($"{source} is not a Downshift fingerprint (null)"),
            { Format: > HostFingerprint.CurrentFormat } => throw DownshiftException.InvalidState(
                $"{source} is a fingerprint of format {fingerprint.Format}; this Downshift reads format {HostFingerprint.CurrentFormat}"),
            _ => fingerprint,
        };
    }

    public static async Task<HostFingerprint> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DownshiftException.InvalidState($"cannot read the fingerprint {path}: {e.Message}");
        }

        return Deserialize(text, path);
    }
}
