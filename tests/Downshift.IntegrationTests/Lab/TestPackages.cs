using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Lab;

/// <summary>Tiny real packages for lab tests: a .deb made with dpkg-deb, a noarch .rpm (no Requires) made with rpmbuild.</summary>
public static class TestPackages
{
    /// <summary>Builds NAME_VERSION_all.deb holding /usr/share/NAME/VERSION into DIRECTORY; returns its path.</summary>
    public static Task<string> BuildDebAsync(string directory, string name, string version, CancellationToken cancellationToken) =>
        BuildDebAsync(directory, name, version, depends: null, cancellationToken);

    /// <summary>Builds NAME_VERSION_all.deb (with a <c>Depends:</c> line when <paramref name="depends"/> is given); returns its path.</summary>
    public static async Task<string> BuildDebAsync(string directory, string name, string version, string? depends, CancellationToken cancellationToken)
    {
        using var work = new TempDirectory("downshift-deb-");
        var root = work.Combine("root");
        Directory.CreateDirectory(Path.Combine(root, "DEBIAN"));
        Directory.CreateDirectory(Path.Combine(root, "usr/share", name));
        await File.WriteAllTextAsync(Path.Combine(root, "usr/share", name, "VERSION"), version + "\n", cancellationToken);
        await File.WriteAllTextAsync(
            Path.Combine(root, "DEBIAN/control"),
            $"Package: {name}\nVersion: {version}\nArchitecture: all\nMaintainer: Downshift tests <tests@example.invalid>\n" +
            (depends is null ? "" : $"Depends: {depends}\n") + "Description: a tiny test package\n",
            cancellationToken);
        var deb = Path.Combine(directory, $"{name}_{version}_all.deb");
        await CheckAsync("dpkg-deb", ["--root-owner-group", "--build", root, deb], cancellationToken);
        return deb;
    }

    /// <summary>Builds NAME-VERSION-1.noarch.rpm (no Requires) holding /usr/share/NAME/VERSION into DIRECTORY; returns its path.</summary>
    public static async Task<string> BuildRpmAsync(string directory, string name, string version, CancellationToken cancellationToken)
    {
        using var work = new TempDirectory("downshift-rpm-");
        var spec = work.Combine($"{name}.spec");
        await File.WriteAllTextAsync(spec, $$"""
            Name: {{name}}
            Version: {{version}}
            Release: 1
            Summary: a tiny test package
            License: MIT
            BuildArch: noarch
            AutoReqProv: no
            %description
            a tiny test package
            %install
            mkdir -p %{buildroot}/usr/share/{{name}}
            echo {{version}} > %{buildroot}/usr/share/{{name}}/VERSION
            %files
            /usr/share/{{name}}/VERSION

            """, cancellationToken);
        await CheckAsync("rpmbuild", ["--define", $"_topdir {work.Path}", "-bb", spec], cancellationToken);
        var fileName = $"{name}-{version}-1.noarch.rpm";
        var rpm = Path.Combine(directory, fileName);
        File.Copy(work.Combine("RPMS", "noarch", fileName), rpm, overwrite: true);
        return rpm;
    }

    private static async Task CheckAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        var result = await CliRunner.RunProcessAsync(file, args, timeout: LabFixture.Timeout, cancellationToken: cancellationToken);
        Assert.True(result.ExitCode == 0, $"{file} failed: {result}");
    }
}
