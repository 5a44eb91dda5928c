using Downshift.Journal;

namespace Downshift.Tests.Journal;

public sealed class RedactorTests
{
    [Theory]
    [InlineData("mysql -u root password=hunter2 -e 'select 1'", "mysql -u root password=*** -e 'select 1'")]
    [InlineData("passwd=hunter2", "passwd=***")]
    [InlineData("curl https://x/api?token=abc123&page=2", "curl https://x/api?token=***&page=2")]
    [InlineData("secret = 's3 cr3t'", "secret = ***")]
    [InlineData("api_key=AKIA123 apikey=\"x y\"", "api_key=*** apikey=***")]
    [InlineData("PGPASSWORD=pg-pass psql -h db", "PGPASSWORD=*** psql -h db")]
    [InlineData("export DB_PASSWORD=abc CLIENT_SECRET=def", "export DB_PASSWORD=*** CLIENT_SECRET=***")]
    [InlineData("curl -H 'Authorization: Bearer eyJhbGciOi.x.y' https://api", "curl -H 'Authorization: Bearer ***' https://api")]
    [InlineData("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ***")]
    [InlineData("pg_dump --password hunter2 --host db", "pg_dump --password *** --host db")]
    [InlineData("pg_dump --password=hunter2 --host db", "pg_dump --password=*** --host db")]
    [InlineData("git clone https://deploy:gh_tok3n@github.com/o/r.git", "git clone https://deploy:***@github.com/o/r.git")]
    [InlineData("postgres://app:p%40ss@db:5432/app", "postgres://app:***@db:5432/app")]
    [InlineData("""{"path":"/etc/app.conf","password":"x\"y"}""", """{"path":"/etc/app.conf","password":"***"}""")]
    [InlineData("-  password: old-pass\n+  password: new-pass # rotated", "-  password: ***\n+  password: *** # rotated")]
    public void Redact_KnownSecretShape_Masked(string input, string expected)
    {
        // Given a redactor with no registered secrets
        var redactor = new Redactor();

        // When
        var result = redactor.Redact(input);

        // Then
        Assert.Equal(expected, result);
    }

    [Fact]
    public void Redact_PrivateKeyBlock_MaskedWhole()
    {
        // Given output that contains a private key
        var input = "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY-----\ndone";

        // When
        var result = new Redactor().Redact(input);

        // Then
        Assert.Equal("key:\n-----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY-----\ndone", result);
    }

    [Fact]
    public void Redact_UnterminatedPrivateKey_MaskedToEnd()
    {
        // Given a key cut off by the output limit
        var input = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk";

        // When / Then
        Assert.Equal("-----BEGIN OPENSSH PRIVATE KEY-----***-----END OPENSSH PRIVATE KEY-----", new Redactor().Redact(input));
    }

    [Fact]
    public void Redact_RegisteredSecret_MaskedAnywhereIncludingJson()
    {
        // Given a secret registered at run time, with a quote in it
        var redactor = new Redactor();
        redactor.AddSecret("vault-\"value\"-42");
        redactor.AddSecret("   ");

        // When
        var plain = redactor.Redact("echo vault-\"value\"-42 | login");
        var json = redactor.Redact("""{"note":"vault-\"value\"-42"}""");
        var undoJson = redactor.Redact(new Downshift.Steps.UndoData(new Dictionary<string, string> { ["note"] = "vault-\"value\"-42" }).ToJson());

        // Then
        Assert.Equal("echo *** | login", plain);
        Assert.Equal("""{"note":"***"}""", json);
        Assert.Equal("""{"note":"***"}""", undoJson);
    }

    [Fact]
    public void Redact_NothingSecret_Unchanged()
    {
        // Given ordinary output
        const string input = "systemctl restart nginx: ok; tokens parsed: 3; http://example.com/path";

        // When / Then
        Assert.Equal(input, new Redactor().Redact(input));
        Assert.Null(new Redactor().Redact(null));
    }
}
