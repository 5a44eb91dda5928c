namespace Downshift.Steps.Config.Internal;

/// <summary>Splits <c>a.b.c</c> into its parts; yaml and json keys are dotted paths.</summary>
internal static class DottedPath
{
    public static string[] Split(string key) => key.Split('.');

    public static bool IsValid(string key) => key.Length > 0 && Split(key).All(part => part.Length > 0);
}
