using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Downshift.Hosts.Ssh;

/// <summary>
/// An OpenSSH <c>known_hosts</c> file, read once: plain and <c>[host]:port</c> names, comma lists,
/// <c>*</c>/<c>?</c> patterns and <c>!</c> negations, hashed <c>|1|</c> names, and the
/// <c>@revoked</c> marker (<c>@cert-authority</c> lines are skipped: certificates are not supported).
/// A missing file is an empty one.
/// </summary>
public sealed class KnownHosts
{
    private KnownHosts(string path, IReadOnlyList<KnownHostEntry> entries)
    {
        Path = path;
        Entries = entries;
    }

    public string Path { get; }

    public IReadOnlyList<KnownHostEntry> Entries { get; }

    public static async Task<KnownHosts> LoadAsync(string path, CancellationToken cancellationToken)
    {
        string[] lines;
        try
        {
            lines = await File.ReadAllLinesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            lines = [];
        }

        return Parse(path, lines);
    }

    public static KnownHosts Parse(string path, IEnumerable<string> lines)
    {
        var entries = new List<KnownHostEntry>();
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            if (KnownHostEntry.TryParse(raw, number) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return new KnownHosts(path, entries);
    }

    /// <summary>How OpenSSH names a host in known_hosts: the address, or <c>[address]:port</c> off port 22.</summary>
    public static string HostToken(string address, int port) =>
        port == HostEntry.DefaultSshPort ? address : $"[{address}]:{port}";

    /// <summary>The key types (<c>ssh-ed25519</c>, <c>ssh-rsa</c>, …) this file knows for the host, revoked ones left out.</summary>
    public IReadOnlyList<string> KnownKeyTypes(string address, int port)
    {
        var token = HostToken(address, port);
        return [.. Entries.Where(e => e.Marker is null && e.Matches(token)).Select(e => e.KeyType).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Judges the key a server offered (its public key blob, SSH wire format).</summary>
    public HostKeyVerdict Check(string address, int port, byte[] keyBlob)
    {
        var token = HostToken(address, port);
        var matching = Entries.Where(e => e.Matches(token)).ToList();
        if (matching.FirstOrDefault(e => e.Marker == KnownHostEntry.Revoked && e.KeyBlob.AsSpan().SequenceEqual(keyBlob)) is { } revoked)
        {
            return new HostKeyVerdict(HostKeyStatus.Revoked, revoked);
        }

        var known = matching.Where(e => e.Marker is null).ToList();
        if (known.FirstOrDefault(e => e.KeyBlob.AsSpan().SequenceEqual(keyBlob)) is { } trusted)
        {
            return new HostKeyVerdict(HostKeyStatus.Trusted, trusted);
        }

        return known.Count == 0
            ? new HostKeyVerdict(HostKeyStatus.Unknown, null)
            : new HostKeyVerdict(HostKeyStatus.Changed, known[0]);
    }

    /// <summary>OpenSSH's fingerprint: <c>SHA256:</c> and the unpadded base64 of the blob's SHA-256.</summary>
    public static string Fingerprint(byte[] keyBlob) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(keyBlob)).TrimEnd('=');

    /// <summary>The key type a blob names in its first field (<c>ssh-ed25519</c>, <c>ssh-rsa</c>, <c>ecdsa-sha2-nistp256</c>).</summary>
    public static string KeyTypeOf(byte[] keyBlob)
    {
        if (keyBlob.Length < 4)
        {
            return "unknown";
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(keyBlob);
        return length > 0 && length <= keyBlob.Length - 4 ? Encoding.ASCII.GetString(keyBlob, 4, length) : "unknown";
    }

    /// <summary>The line TOFU appends for a host: <c>HOST TYPE BASE64</c>.</summary>
    public static string LineFor(string address, int port, byte[] keyBlob) =>
        $"{HostToken(address, port)} {KeyTypeOf(keyBlob)} {Convert.ToBase64String(keyBlob)}";
}

/// <summary>What a known_hosts file says about the key a server offered.</summary>
public enum HostKeyStatus
{
    /// <summary>A line of the file names the host with this very key.</summary>
    Trusted,

    /// <summary>No line names the host.</summary>
    Unknown,

    /// <summary>The host is known, but with other keys: refused always.</summary>
    Changed,

    /// <summary>An <c>@revoked</c> line holds this key: refused always.</summary>
    Revoked,
}

/// <summary>The verdict and the line it rests on (the known key for <see cref="HostKeyStatus.Changed"/>).</summary>
public sealed record HostKeyVerdict(HostKeyStatus Status, KnownHostEntry? Entry);

/// <summary>One key line of a known_hosts file.</summary>
public sealed partial record KnownHostEntry(int Line, string? Marker, string Hosts, string KeyType, byte[] KeyBlob)
{
    public const string Revoked = "@revoked";

    public static KnownHostEntry? TryParse(string raw, int line)
    {
        var fields = raw.Trim().Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length == 0 || fields[0].StartsWith('#'))
        {
            return null;
        }

        string? marker = null;
        if (fields[0].StartsWith('@'))
        {
            marker = fields[0];
            fields = fields[1..];
        }

        if (fields.Length < 3 || (marker is not null && marker != Revoked))
        {
            return null;
        }

        try
        {
            return new KnownHostEntry(line, marker, fields[0], fields[1], Convert.FromBase64String(fields[2]));
        }
        catch (FormatException)
        {
            return null; // OpenSSH skips a line it cannot read, and so do we.
        }
    }

    /// <summary>
    /// True when this line names the host token (<c>addr</c> or <c>[addr]:port</c>): a hashed name
    /// matches by HMAC-SHA1, a pattern list matches when one pattern does and no <c>!</c> pattern does.
    /// </summary>
    public bool Matches(string hostToken)
    {
        if (Hosts.StartsWith("|1|", StringComparison.Ordinal))
        {
            return HashedMatches(Hosts, hostToken);
        }

        var matched = false;
        foreach (var pattern in Hosts.Split(','))
        {
            var negated = pattern.StartsWith('!');
            if (WildcardMatches(negated ? pattern[1..] : pattern, hostToken))
            {
                if (negated)
                {
                    return false;
                }

                matched = true;
            }
        }

        return matched;
    }

    private static bool HashedMatches(string hashed, string hostToken)
    {
        var parts = hashed.Split('|');
        if (parts.Length != 4)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            return HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(hostToken)).AsSpan().SequenceEqual(expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>OpenSSH's host pattern: <c>*</c> any run of characters, <c>?</c> one, case-insensitive (no regex built per call).</summary>
    private static bool WildcardMatches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(text[t])))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
