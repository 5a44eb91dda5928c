using Downshift.Steps.Release;
using Downshift.Tests.TestSupport;

namespace Downshift.Tests.Steps.Release;

public sealed class ReleaseBindTests
{
    [Fact]
    public void Bind_ValidOptions_ReturnsOptions()
    {
        // Given valid options
        var reader = new DictionaryOptionsReader(new()
        {
            ["archive"] = "shop-1.2.tar.gz", ["root"] = "/opt/shop/", ["version"] = "1.2", ["strip-components"] = 1,
        });

        // When bound
        var options = Assert.IsType<ReleaseOptions>(new ReleaseStepKind().Bind(reader));

        // Then the root is normalised and strip is read
        Assert.Empty(reader.Errors);
        Assert.Equal("/opt/shop", options.Root);
        Assert.Equal(1, options.StripComponents);
    }

    [Fact]
    public void Bind_MissingAndBadValues_ReportsAll()
    {
        // Given a missing archive, a relative root, a version with a slash and a negative strip
        var reader = new DictionaryOptionsReader(new()
        {
            ["root"] = "opt/shop", ["version"] = "../1.2", ["strip-components"] = -1,
        });

        // When bound
        Assert.Null(new ReleaseStepKind().Bind(reader));

        // Then every mistake is reported
        Assert.Contains("archive: is required", reader.Errors);
        Assert.Contains(reader.Errors, e => e.StartsWith("root:", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.StartsWith("version:", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.StartsWith("strip-components:", StringComparison.Ordinal));
    }
}
