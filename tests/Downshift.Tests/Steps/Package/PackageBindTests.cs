using Downshift.Steps.Package;
using Downshift.Tests.TestSupport;

namespace Downshift.Tests.Steps.Package;

public sealed class PackageBindTests
{
    [Fact]
    public void Bind_ValidOptions_ReturnsOptionsWithDefaults()
    {
        // Given a name, an epoch version and allowed changes
        var reader = new DictionaryOptionsReader(new()
        {
            ["name"] = "shopd", ["version"] = "1:2.1.0-3", ["allow-changes"] = (IReadOnlyList<string>)["libshop1"],
        });

        // When bound
        var options = Assert.IsType<PackageOptions>(new PackageStepKind().Bind(reader));

        // Then the defaults hold the package and keep edited conffiles
        Assert.Empty(reader.Errors);
        Assert.Equal("auto", options.Manager);
        Assert.True(options.Hold);
        Assert.Equal(ConffilePolicy.Keep, options.Conffiles);
        Assert.Equal(["libshop1"], options.AllowChanges);
    }

    [Fact]
    public void Bind_BadValues_ReportsAll()
    {
        // Given a missing name, a version with a space, an unknown manager and a bad allowed name
        var reader = new DictionaryOptionsReader(new()
        {
            ["version"] = "2.1 0", ["manager"] = "yum", ["conffiles"] = "new", ["allow-changes"] = (IReadOnlyList<string>)["lib;rm"],
        });

        // When bound
        Assert.Null(new PackageStepKind().Bind(reader));

        // Then every mistake is reported
        Assert.Contains("name: is required", reader.Errors);
        Assert.Contains(reader.Errors, e => e.StartsWith("version:", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.StartsWith("manager:", StringComparison.Ordinal));
        Assert.Contains(reader.Errors, e => e.StartsWith("allow-changes:", StringComparison.Ordinal));
    }
}
