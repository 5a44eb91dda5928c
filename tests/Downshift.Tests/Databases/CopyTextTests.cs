using Downshift.Databases.Internal;

namespace Downshift.Tests.Databases;

public sealed class CopyTextTests
{
    [Fact]
    public void Parse_EscapesAndNull_ExactValues()
    {
        // Given COPY text output with escaped tab, newline, backslash, a NULL and the text \N
        const string output = "a\\tb\tline 1\\nline 2\\r\t\\N\tback\\\\slash\t\\\\N\n";

        // When
        var rows = CopyText.Parse(output);

        // Then
        Assert.Equal([["a\tb", "line 1\nline 2\r", null, "back\\slash", "\\N"]], rows);
    }

    [Fact]
    public void Parse_EmptyLine_IsOneEmptyColumn()
    {
        // Given three rows of one column, the middle one empty
        // When
        var rows = CopyText.Parse("x\n\ny\n");

        // Then
        Assert.Equal([["x"], [""], ["y"]], rows);
    }

    [Fact]
    public void Parse_NoOutput_NoRows() => Assert.Empty(CopyText.Parse(""));
}
