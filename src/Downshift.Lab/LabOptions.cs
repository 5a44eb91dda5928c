using System.Text.RegularExpressions;

namespace Downshift.Lab;

/// <summary>What <c>Lab.UpAsync</c> brings up: a named lab of <see cref="Hosts"/> Debian hosts on one /24.</summary>
public sealed partial record LabOptions
{
    public const string DefaultName = "lab";
    public const string DefaultStateRoot = "/var/lib/downshift-lab";
    public const string StateRootVariable = "DOWNSHIFT_LAB_DIR";
    public const int MaxHosts = 200;

    /// <summary>[a-z][a-z0-9]{0,4}; prefixes the lab's netns, veth and bridge names (IFNAMSIZ is 15).</summary>
    public string Name { get; init; } = DefaultName;

    /// <summary>How many hosts: h1..hN.</summary>
    public int Hosts { get; init; } = 3;

    /// <summary>First three octets (e.g. "10.201.7"); null picks a free 10.2xx.y.</summary>
    public string? Subnet { get; init; }

    /// <summary>
    /// Served over HTTP on &lt;subnet&gt;.1:8088 to the hosts: holds <c>deb/</c> (dpkg-scanpackages
    /// --multiversion) and <c>rpm/</c> (createrepo_c). Null: an empty repository in the lab directory.
    /// </summary>
    public string? RepositoryDirectory { get; init; }

    /// <summary>Where labs keep their state (one directory per lab).</summary>
    public string StateRoot { get; init; } = DefaultStateRootFromEnvironment();

    /// <summary>Every problem with these options (empty when they are valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IsValidName(Name))
        {
            errors.Add($"lab name '{Name}' must match [a-z][a-z0-9]{{0,4}} (it prefixes interface names, at most 15 characters)");
        }

        if (Hosts is < 1 or > MaxHosts)
        {
            errors.Add($"hosts must be between 1 and {MaxHosts}, not {Hosts}");
        }

        if (Subnet is not null && !IsValidSubnet(Subnet))
        {
            errors.Add($"subnet '{Subnet}' must be three octets such as 10.201.7");
        }

        if (RepositoryDirectory is not null && !Directory.Exists(RepositoryDirectory))
        {
            errors.Add($"repository directory '{RepositoryDirectory}' does not exist");
        }

        if (!Path.IsPathRooted(StateRoot))
        {
            errors.Add($"state root '{StateRoot}' must be an absolute path");
        }

        return errors;
    }

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    public static bool IsValidSubnet(string? subnet)
    {
        var parts = subnet?.Split('.');
        return parts is { Length: 3 }
            && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p) <= 255)
            && parts[0] != "127" && parts[0] != "0";
    }

    /// <summary>$DOWNSHIFT_LAB_DIR, else /var/lib/downshift-lab.</summary>
    public static string DefaultStateRootFromEnvironment() =>
        Environment.GetEnvironmentVariable(StateRootVariable) is { Length: > 0 } dir ? dir : DefaultStateRoot;

    [GeneratedRegex("^[a-z][a-z0-9]{0,4}$")]
    private static partial Regex NamePattern();
}
