using Downshift.Steps.Config;
using Downshift.Tests.TestSupport;

namespace Downshift.Tests.Steps.Config;

public sealed class ConfigBindTests
{
    [Fact]
    public void Bind_ValidOptions_DefaultsFormatFromExtension()
    {
        // Given a yaml path and a set
        var reader = new DictionaryOptionsReader(new()
        {
            ["path"] = "/etc/shop/app.yml",
            ["set"] = new Dictionary<string, string> { ["server.port"] = "8080" },
        });

        // When bound
        var options = Assert.IsType<ConfigOptions>(new ConfigStepKind().Bind(reader));

        // Then the format comes from the extension
        Assert.Empty(reader.Errors);
        Assert.Equal(ConfigFormat.Yaml, options.Format);
        Assert.Equal("config /etc/shop/app.yml: set server.port=8080", new ConfigStepKind().CreateExecutor(options).Describe());
    }

    [Fact]
    public void Bind_EveryMistake_ReportsAllErrorsAndReturnsNull()
    {
        // Given a relative path, a rename onto itself, a key both set and removed, and carry without package-default
        var reader = new DictionaryOptionsReader(new()
        {
            ["path"] = "etc/shopd.conf",
            ["set"] = new Dictionary<string, string> { ["port"] = "1" },
            ["rename"] = new Dictionary<string, string> { ["a"] = "a" },
            ["remove"] = new List<string> { "port" },
            ["carry"] = new List<string> { "x" },
        });

        // When bound
        var options = new ConfigStepKind().Bind(reader);

        // Then every mistake is reported
        Assert.Null(options);
        Assert.Contains(reader.Errors, e => e.StartsWith("path:", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.Contains("onto itself", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.Contains("both set and removed", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.StartsWith("carry:", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_UnknownFormat_IsAnError()
    {
        // Given an unknown format
        var reader = new DictionaryOptionsReader(new()
        {
            ["path"] = "/etc/a.conf",
            ["format"] = "toml",
            ["remove"] = new List<string> { "a" },
        });

        // When bound, then it fails at format
        Assert.Null(new ConfigStepKind().Bind(reader));
        Assert.Contains(reader.Errors, e => e.StartsWith("format:", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_NothingToDo_IsAnError()
    {
        // Given only a path
        var reader = new DictionaryOptionsReader(new() { ["path"] = "/etc/a.conf" });

        // When bound, then it says what is missing
        Assert.Null(new ConfigStepKind().Bind(reader));
        Assert.Single(reader.Errors);
    }

    [Fact]
    public void Bind_MissingPath_IsRequired()
    {
        // Given no path
        var reader = new DictionaryOptionsReader(new() { ["remove"] = new List<string> { "a" } });

        // When bound, then path is required
        Assert.Null(new ConfigStepKind().Bind(reader));
        Assert.Contains("path: is required", reader.Errors);
    }
}
