using System.Text;
using Downshift.Steps;
using Downshift.Steps.Config;
using Downshift.Steps.Config.Internal;

namespace Downshift.Tests.Steps.Config;

public sealed class ConfigFormatTests
{
    private static ConfigEdits Edits(
        (string, string)[]? set = null, (string, string)[]? rename = null, string[]? remove = null, bool quoted = false) =>
        new(
            [.. (rename ?? []).Select(r => KeyValuePair.Create(r.Item1, r.Item2))],
            remove ?? [],
            [.. (set ?? []).Select(s => KeyValuePair.Create(s.Item1, new ScalarValue(s.Item2, quoted)))]);

    private static string Apply(ConfigFormat format, string text, ConfigEdits edits)
    {
        var result = ConfigFormats.For(format).Apply(Encoding.UTF8.GetBytes(text), edits);
        Assert.True(result.IsSuccess, string.Join("; ", result.Errors));
        return Encoding.UTF8.GetString(result.Content!);
    }

    [Fact]
    public void KeyValueApply_SetExistingKey_ChangesOnlyThatLineAndKeepsComments()
    {
        // Given a key-value file with comments, an inline comment and CRLF endings
        var text = "# shopd\r\nport = 80   # the port\r\ncache_mb = 64\r\n";

        // When port is set
        var result = Apply(ConfigFormat.KeyValue, text, Edits(set: [("port", "8080")]));

        // Then only the value changes
        Assert.Equal("# shopd\r\nport = 8080   # the port\r\ncache_mb = 64\r\n", result);
    }

    [Fact]
    public void KeyValueApply_SetNewKey_AppendsWithTheFilesSeparator()
    {
        // Given a file that writes key=value without spaces and no final newline
        var text = "a=1\nb=2";

        // When a new key is set
        var result = Apply(ConfigFormat.KeyValue, text, Edits(set: [("c", "3")]));

        // Then it goes after the last entry, in the same style
        Assert.Equal("a=1\nb=2\nc=3\n", result);
    }

    [Fact]
    public void KeyValueApply_WhitespaceSeparatedAndQuoted_KeepsStyle()
    {
        // Given sshd-style and quoted entries
        var text = "Port 22\nNAME=\"old\"\n";

        // When both are set
        var result = Apply(ConfigFormat.KeyValue, text, Edits(set: [("Port", "2222"), ("NAME", "new")]));

        // Then the separator and the quotes are kept
        Assert.Equal("Port 2222\nNAME=\"new\"\n", result);
    }

    [Fact]
    public void KeyValueApply_RenameAndRemove_EditsInPlace()
    {
        // Given three keys
        var text = "# top\nold_name = x\ncache_mb = 64\nkeep = 1\n";

        // When one is renamed and one removed
        var result = Apply(ConfigFormat.KeyValue, text, Edits(rename: [("old_name", "new_name")], remove: ["cache_mb"]));

        // Then the renamed line stays where it was and the removed line is gone
        Assert.Equal("# top\nnew_name = x\nkeep = 1\n", result);
    }

    [Fact]
    public void KeyValueApply_MissingKeys_AreNotedNoOps()
    {
        // Given a file without the keys
        var result = ConfigFormats.For(ConfigFormat.KeyValue).Apply("a = 1\n"u8.ToArray(), Edits(rename: [("x", "y")], remove: ["z"]));

        // Then nothing changes and both are noted
        Assert.True(result.IsSuccess);
        Assert.Equal("a = 1\n", Encoding.UTF8.GetString(result.Content!));
        Assert.Contains(result.Notes, n => n.Contains("rename x -> y", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.Contains("remove z", StringComparison.Ordinal));
    }

    [Fact]
    public void KeyValueApply_RenameOntoExistingKey_IsAnError()
    {
        // Given both keys present
        var result = ConfigFormats.For(ConfigFormat.KeyValue).Apply("a = 1\nb = 2\n"u8.ToArray(), Edits(rename: [("a", "b")]));

        // Then the rename is refused
        Assert.False(result.IsSuccess);
        Assert.Contains("already exists", result.Errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void KeyValueApply_NonUtf8Bytes_AreKeptExactly()
    {
        // Given a Latin-1 comment (not valid UTF-8)
        byte[] content = [.. "# caf"u8, 0xE9, .. "\nport = 1\n"u8];

        // When port is set
        var result = ConfigFormats.For(ConfigFormat.KeyValue).Apply(content, Edits(set: [("port", "2")]));

        // Then the comment's bytes are untouched
        Assert.Equal([.. "# caf"u8, 0xE9, .. "\nport = 2\n"u8], result.Content);
    }

    [Fact]
    public void IniApply_SetRenameRemove_EditsTheRightSections()
    {
        // Given two sections with the same key name
        var text = "; shop\n[server]\nport = 80\nworkers = 4\n\n[cache]\nport = 6379\nsize_mb = 64\n";

        // When keys are edited by section.key
        var result = Apply(ConfigFormat.Ini, text, Edits(
            set: [("server.port", "8080"), ("server.host", "0.0.0.0"), ("log.level", "info")],
            rename: [("server.workers", "server.threads")],
            remove: ["cache.size_mb"]));

        // Then each edit lands in its own section and new keys follow the last entry
        Assert.Equal(
            "; shop\n[server]\nport = 8080\nthreads = 4\nhost = 0.0.0.0\n\n[cache]\nport = 6379\n\n[log]\nlevel = info\n",
            result);
    }

    [Fact]
    public void IniApply_SectionNameWithDots_MatchesTheLongestSection()
    {
        // Given a section whose name has a dot
        var text = "[a.b]\nc = 1\n";

        // When a.b.c is set
        var result = Apply(ConfigFormat.Ini, text, Edits(set: [("a.b.c", "2")]));

        // Then the existing section is used
        Assert.Equal("[a.b]\nc = 2\n", result);
    }

    [Fact]
    public void JsonApply_SetRenameRemove_KeepsKeyOrder()
    {
        // Given a JSON object
        var text = "{\n    \"port\": 80,\n    \"name\": \"shop\",\n    \"db\": { \"host\": \"a\", \"pool\": 5 },\n    \"old\": true\n}\n";

        // When literal and string values are set, a key renamed and one removed
        var result = Apply(ConfigFormat.Json, text, Edits(
            set: [("port", "8080"), ("db.pool", "10"), ("db.user", "shop"), ("flag", "false")],
            rename: [("name", "title")],
            remove: ["old"]));

        // Then order is kept, literals are literals, strings are strings, and the indent is the file's
        Assert.Equal(
            "{\n    \"port\": 8080,\n    \"title\": \"shop\",\n    \"db\": {\n        \"host\": \"a\",\n        \"pool\": 10,\n        \"user\": \"shop\"\n    },\n    \"flag\": false\n}\n",
            result);
    }

    [Fact]
    public void JsonApply_QuotedNumber_IsWrittenAsString()
    {
        // Given a quoted scalar that looks like a number
        var result = Apply(ConfigFormat.Json, "{}", Edits(set: [("version", "10")], quoted: true));

        // Then it is a JSON string
        Assert.Equal("{\n  \"version\": \"10\"\n}", result);
    }

    [Fact]
    public void JsonApply_PathThroughScalar_IsAnError()
    {
        // Given a key that is not an object
        var result = ConfigFormats.For(ConfigFormat.Json).Apply("{\"a\": 1}"u8.ToArray(), Edits(set: [("a.b", "2")]));

        // Then setting below it fails
        Assert.False(result.IsSuccess);
    }

    [Fact]
    public void YamlApply_SetRenameRemove_KeepsKeyOrderAndTypes()
    {
        // Given a YAML mapping
        var text = "server:\n  port: 80\n  host: localhost\ncache_mb: 64\nname: shop\n";

        // When edited
        var result = Apply(ConfigFormat.Yaml, text, Edits(
            set: [("server.port", "8080"), ("server.tls", "true"), ("label", "yes")],
            rename: [("name", "title")],
            remove: ["cache_mb"]));

        // Then order is kept, literals are plain and a string that reads as a bool is quoted
        Assert.Equal("server:\n  port: 8080\n  host: localhost\n  tls: true\ntitle: shop\nlabel: \"yes\"\n", result);
    }

    [Fact]
    public void YamlApply_FileWithComments_NotesThatTheyAreDropped()
    {
        // Given a commented YAML file
        var result = ConfigFormats.For(ConfigFormat.Yaml).Apply("# hi\na: 1\n"u8.ToArray(), Edits(set: [("a", "2")]));

        // Then the outcome says comments are not kept
        Assert.Contains(result.Notes, n => n.Contains("comments", StringComparison.Ordinal));
    }

    [Fact]
    public void Carry_KeyFromCurrentFile_ReplacesThePackageDefault()
    {
        // Given the admin's file and a package default
        var current = "port = 9000\nsecret = s3\n"u8.ToArray();
        var fresh = "# new default\nport = 80\nnew_option = on\n"u8.ToArray();

        // When port and a missing key are carried
        var result = ConfigFormats.For(ConfigFormat.KeyValue).Carry(current, fresh, ["port", "absent"]);

        // Then port has the admin's value and the default's comment stays
        Assert.Equal("# new default\nport = 9000\nnew_option = on\n", Encoding.UTF8.GetString(result.Content!));
        Assert.Contains(result.Notes, n => n.Contains("absent", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/etc/a.ini", ConfigFormat.Ini)]
    [InlineData("/etc/a.cfg", ConfigFormat.Ini)]
    [InlineData("/etc/a.yml", ConfigFormat.Yaml)]
    [InlineData("/etc/a.yaml", ConfigFormat.Yaml)]
    [InlineData("/etc/a.json", ConfigFormat.Json)]
    [InlineData("/etc/a.conf", ConfigFormat.KeyValue)]
    public void FromPath_Extension_PicksFormat(string path, ConfigFormat expected) =>
        Assert.Equal(expected, ConfigFormats.FromPath(path));
}
