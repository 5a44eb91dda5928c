using System.Collections.Immutable;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Downshift.Journal;

/// <summary>
/// Replaces secrets with <see cref="Mask"/> before anything is stored. The journal is the one place
/// that writes, so it calls <see cref="Redact"/> on every command, output, result and data field.
/// Known shapes (<c>password=</c>, bearer tokens, URL credentials, private keys, …) are found by
/// pattern; values known at run time (a vault secret, a variable marked secret) are registered with
/// <see cref="AddSecret"/>. Thread-safe.
/// </summary>
public sealed partial class Redactor
{
    public const string Mask = "***";

    private const int RegexTimeoutMilliseconds = 1000;

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private ImmutableArray<string> secrets = [];

    /// <summary>Registers an exact value that must never be stored. Empty or whitespace values are ignored.</summary>
    public void AddSecret(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (string.IsNullOrWhiteSpace(secret))
        {
            return;
        }

        // Also its JSON-escaped forms (default and relaxed encoders), so a secret inside a JSON Data field is found too.
        string[] forms =
        [
            secret,
            JsonSerializer.Serialize(secret)[1..^1],
            JsonSerializer.Serialize(secret, RelaxedJson)[1..^1],
        ];
        ImmutableInterlocked.Update(ref secrets, current =>
            // Longest first, so a secret that contains another is replaced whole.
            [.. current.Concat(forms).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)]);
    }

    /// <summary>Returns <paramref name="text"/> with every secret replaced by <see cref="Mask"/>.</summary>
    public string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        foreach (var secret in secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        text = PrivateKey().Replace(text, "-----BEGIN $1PRIVATE KEY-----" + Mask + "-----END $1PRIVATE KEY-----");
        text = Authorization().Replace(text, "$1" + Mask);
        text = UrlCredentials().Replace(text, "$1" + Mask + "@");
        text = PasswordOption().Replace(text, "$1" + Mask);
        text = JsonKeyValue().Replace(text, "$1\"" + Mask + "\"");
        text = KeyValue().Replace(text, "$1" + Mask);
        text = YamlKeyValue().Replace(text, "$1" + Mask);
        return text;
    }

    private const string SecretKey = @"[A-Za-z0-9_.\-]*?(?:password|passwd|token|secret|api_?key)";

    private const string Value = """(?:"[^"]*"|'[^']*'|[^\s&;,'"]+)""";

    /// <summary>A PEM private key block; an unterminated block (truncated output) is masked to the end.</summary>
    [GeneratedRegex(@"-----BEGIN ([A-Z0-9 ]*?)PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*?PRIVATE KEY-----|\z)", RegexOptions.None, RegexTimeoutMilliseconds)]
    private static partial Regex PrivateKey();

    [GeneratedRegex(@"(Authorization\s*:\s*(?:Bearer|Basic|Token|Digest)\s+)[^\s'""]+", RegexOptions.IgnoreCase, RegexTimeoutMilliseconds)]
    private static partial Regex Authorization();

    /// <summary><c>scheme://user:pass@host</c>.</summary>
    [GeneratedRegex(@"(\b[a-z][a-z0-9+.\-]*://[^/\s:@]+:)[^@\s/]+@", RegexOptions.IgnoreCase, RegexTimeoutMilliseconds)]
    private static partial Regex UrlCredentials();

    /// <summary><c>--password X</c>, <c>--password=X</c>, <c>--db-password 'X'</c>.</summary>
    [GeneratedRegex(@"(--[A-Za-z0-9\-]*password(?:\s+|=))" + Value, RegexOptions.IgnoreCase, RegexTimeoutMilliseconds)]
    private static partial Regex PasswordOption();

    /// <summary><c>"password": "x"</c> in JSON (undo data, health check data).</summary>
    [GeneratedRegex("(\"" + SecretKey + "\"\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"", RegexOptions.IgnoreCase, RegexTimeoutMilliseconds)]
    private static partial Regex JsonKeyValue();

    /// <summary><c>password=x</c>, <c>PGPASSWORD=x</c>, <c>api_key=x</c>, <c>client_secret="x"</c>.</summary>
    [GeneratedRegex(@"(\b" + SecretKey + @"\s*=\s*)" + Value, RegexOptions.IgnoreCase, RegexTimeoutMilliseconds)]
    private static partial Regex KeyValue();

    /// <summary><c>password: x</c> at the start of a line (YAML, INI-like config diffs).</summary>
    [GeneratedRegex(@"(^[\t +\-]*" + SecretKey + @"\s*:[ \t]+)(?!\*\*\*)[^\s#]+[^\r\n#]*?(?=[ \t]*(?:#|\r?$))", RegexOptions.IgnoreCase | RegexOptions.Multiline, RegexTimeoutMilliseconds)]
    private static partial Regex YamlKeyValue();
}
