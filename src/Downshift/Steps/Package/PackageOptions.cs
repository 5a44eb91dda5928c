namespace Downshift.Steps.Package;

/// <summary>Which conffile a package change keeps when the admin edited it.</summary>
public enum ConffilePolicy
{
    /// <summary>Keep the admin's file; the package's lands beside it (<c>.dpkg-dist</c>, <c>.rpmnew</c>).</summary>
    Keep,

    /// <summary>Take the package's file; the admin's is kept beside it (<c>.dpkg-old</c>, <c>.rpmsave</c>).</summary>
    New,
}

/// <summary>Options of a <c>package</c> step: install an exact version of one package (usually an older one).</summary>
public sealed record PackageOptions : StepOptions
{
    public required string Name { get; init; }

    /// <summary>The version to install: dpkg's version, or rpm's <c>VERSION</c> or <c>VERSION-RELEASE</c>.</summary>
    public required string Version { get; init; }

    /// <summary>apt, dnf, or auto (apt when <c>dpkg-query</c> exists on the host, else dnf).</summary>
    public string Manager { get; init; } = "auto";

    /// <summary>Hold the package at the version afterwards, so unattended upgrades do not undo the change.</summary>
    public bool Hold { get; init; } = true;

    public ConffilePolicy Conffiles { get; init; } = ConffilePolicy.Keep;

    /// <summary>Other packages the change may install, upgrade or downgrade; staging refuses any other change and every removal.</summary>
    public IReadOnlyList<string> AllowChanges { get; init; } = [];
}

public static class PackageDefaults
{
    public static readonly IReadOnlyList<string> Managers = ["auto", "apt", "dnf"];
    public static readonly IReadOnlyList<string> ConffilePolicies = ["keep", "new"];

    /// <summary>Downloads and package transactions can be slow on a busy host.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(10);
}
