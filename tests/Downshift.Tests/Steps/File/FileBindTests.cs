using Downshift.Steps.File;
using FileOptions = Downshift.Steps.File.FileOptions;
using Downshift.Tests.TestSupport;

namespace Downshift.Tests.Steps.File;

public sealed class FileBindTests
{
    [Fact]
    public void Bind_ContentWithModeAndOwner_ReturnsOptions()
    {
        // Given valid options
        var reader = new DictionaryOptionsReader(new()
        {
            ["path"] = "/etc/motd", ["content"] = "hi\n", ["mode"] = "0644", ["owner"] = "root:root",
        });

        // When bound
        var options = Assert.IsType<FileOptions>(new FileStepKind().Bind(reader));

        // Then there are no errors
        Assert.Empty(reader.Errors);
        Assert.Equal("0644", options.Mode);
    }

    [Fact]
    public void Bind_SourceAndContentAndBadModeAndOwner_ReportsAll()
    {
        // Given every mistake at once
        var reader = new DictionaryOptionsReader(new()
        {
            ["path"] = "relative", ["source"] = "a", ["content"] = "b", ["mode"] = "644x", ["owner"] = "bad owner",
        });

        // When bound
        Assert.Null(new FileStepKind().Bind(reader));

        // Then each is reported
        Assert.Contains(reader.Errors, e => e.StartsWith("path:", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.StartsWith("content:", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.StartsWith("mode:", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.StartsWith("owner:", StringComparison.Ordinal));
    }

    [Fact]
    public void Bind_NeitherSourceNorContent_IsAnError()
    {
        // Given only a path
        var reader = new DictionaryOptionsReader(new() { ["path"] = "/etc/motd" });

        // When bound, then it says source or content is needed
        Assert.Null(new FileStepKind().Bind(reader));
        Assert.Contains(reader.Errors, e => e.Contains("'source'", StringComparison.Ordinal));
    }
}
