using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;
using Downshift.Steps.Service.Internal;

namespace Downshift.IntegrationTests.Steps.Service;

/// <summary>
/// The service step's supervisor client against a real supervisord: it does supervisorctl's job over
/// XML-RPC itself, and hands over to the real supervisorctl where it cannot (here: a config using a
/// <c>%(here)s</c> expansion). A <c>supervisorctl</c> first on PATH records that it was called, then runs the real one.
/// </summary>
public sealed class SupervisorClientTests : IAsyncLifetime
{
    private SupervisorHost supervisor = null!;

    public async ValueTask InitializeAsync() => supervisor = await SupervisorHost.StartAsync();

    public async ValueTask DisposeAsync() => await supervisor.DisposeAsync();

    [Fact]
    public async Task StartStatusStop_ReadableConfig_DoneOverXmlRpcWithoutSupervisorctl()
    {
        var start = await ClientAsync("start", "web", supervisor.Config);
        var running = await ClientAsync("status", "web", supervisor.Config);
        var again = await ClientAsync("start", "web", supervisor.Config);
        var stop = await ClientAsync("stop", "web", supervisor.Config);

        Assert.Equal((0, "web: started"), (start.ExitCode, start.StdoutText.Trim()));
        Assert.StartsWith("web RUNNING pid ", running.StdoutText, StringComparison.Ordinal);
        Assert.Equal((3, "web: ERROR (already started)"), (again.ExitCode, again.StdoutText.Trim()));
        Assert.Equal((0, "web: stopped"), (stop.ExitCode, stop.StdoutText.Trim()));
        Assert.Contains(" STOPPED ", await supervisor.StatusAsync("web"), StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(Marker), "the client called supervisorctl although it could talk to supervisord itself");
    }

    [Fact]
    public async Task Start_ProgramThatCannotSpawn_Exits7WithSupervisorsReason()
    {
        var start = await ClientAsync("start", "crashy", supervisor.Config);

        Assert.Equal(7, start.ExitCode);
        Assert.Contains("crashy: ERROR (spawn error)", start.StdoutText, StringComparison.Ordinal);
        Assert.Contains(" FATAL ", await supervisor.StatusAsync("crashy"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_UnknownProgram_Exits4()
    {
        var status = await ClientAsync("status", "nosuch", supervisor.Config);

        Assert.Equal(4, status.ExitCode);
        Assert.Equal("nosuch: ERROR (no such process)", status.StdoutText.Trim());
    }

    [Fact]
    public async Task Start_ConfigWithExpansion_HandsOverToSupervisorctlAndStillWorks()
    {
        // Given a config whose serverurl only supervisor itself can expand
        var expanding = await ConfigAsync("ctl-here.conf", "[supervisorctl]\nserverurl=unix://%(here)s/supervisor.sock");

        // When the client is asked to start and then to read the status through it
        var start = await ClientAsync("start", "web", expanding);
        var status = await ClientAsync("status", "web", expanding);

        // Then supervisorctl did the work, and the program runs
        Assert.True(System.IO.File.Exists(Marker), "the client did not hand over to supervisorctl");
        Assert.Equal(0, start.ExitCode);
        Assert.Contains(" RUNNING ", status.StdoutText, StringComparison.Ordinal);
        Assert.Contains(" RUNNING ", await supervisor.StatusAsync("web"), StringComparison.Ordinal);
        await ClientAsync("stop", "web", expanding);
    }

    [Fact]
    public async Task StartStatusStop_HttpServerUrlWithLogin_DoneOverXmlRpcWithoutSupervisorctl()
    {
        // Given a config that names supervisord's TCP interface the way people write it: spaces, `:` as
        // the delimiter, a capitalised option name, inline comments, a second [supervisorctl] section
        var http = await ConfigAsync("ctl-http.conf", $"""
            ; the operators' client config
            [supervisorctl]
            serverurl = http://localhost:9001
            [unix_http_server]
            file=/nonexistent.sock
            [supervisorctl]
            serverurl = http://127.0.0.1:{supervisor.RpcPort} ; TCP, not the socket
            Username: {SupervisorHost.RpcUser}
            password={SupervisorHost.RpcPassword}   # the login
            """);

        // When the client starts, reads and stops a program through it
        var start = await ClientAsync("start", "web", http);
        var status = await ClientAsync("status", "web", http);
        var stop = await ClientAsync("stop", "web", http);

        // Then it logged in over HTTP itself, and supervisord did each
        Assert.Equal((0, "web: started"), (start.ExitCode, start.StdoutText.Trim()));
        Assert.StartsWith("web RUNNING pid ", status.StdoutText, StringComparison.Ordinal);
        Assert.Equal((0, "web: stopped"), (stop.ExitCode, stop.StdoutText.Trim()));
        Assert.Contains(" STOPPED ", await supervisor.StatusAsync("web"), StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(Marker), "the client called supervisorctl although it could talk to supervisord itself");
    }

    [Fact]
    public async Task Status_WrongPassword_HandsOverToSupervisorctlWhichSaysSo()
    {
        var wrong = await ConfigAsync("ctl-wrong.conf", $"""
            [supervisorctl]
            serverurl=http://127.0.0.1:{supervisor.RpcPort}
            username={SupervisorHost.RpcUser}
            password=not-it
            """);

        var status = await ClientAsync("status", "web", wrong);

        Assert.True(System.IO.File.Exists(Marker), "the client did not hand over to supervisorctl after supervisord refused the login");
        Assert.NotEqual(0, status.ExitCode);
        Assert.Contains("authentication", status.StdoutText + status.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Status_ValueContinuedOnTheNextLine_HandsOverToSupervisorctl()
    {
        // A continued value is configparser's to join: the client does not guess, supervisorctl reads it.
        var continued = await ConfigAsync("ctl-continued.conf", $"""
            [supervisorctl]
            serverurl=unix://{supervisor.Harness.Root}/supervisor.sock
            username=
              someone
            """);

        await ClientAsync("status", "web", continued);

        Assert.True(System.IO.File.Exists(Marker), "the client read a continued value itself");
    }

    [Fact]
    public async Task Restart_OverXmlRpc_StopsThenStartsWithoutSupervisorctl()
    {
        await ClientAsync("start", "web", supervisor.Config);
        var before = await supervisor.StatusAsync("web");

        var restart = await ClientAsync("restart", "web", supervisor.Config);

        Assert.Equal((0, "web: stopped\nweb: started"), (restart.ExitCode, restart.StdoutText.Trim()));
        var after = await supervisor.StatusAsync("web");
        Assert.Contains(" RUNNING ", after, StringComparison.Ordinal);
        Assert.NotEqual(Pid(before), Pid(after));
        Assert.False(System.IO.File.Exists(Marker), "the client called supervisorctl although it could talk to supervisord itself");
        await ClientAsync("stop", "web", supervisor.Config);
    }

    [Fact]
    public async Task Status_DefaultSection_HandsOverToSupervisorctl()
    {
        // [DEFAULT] values apply to [supervisorctl] in supervisorctl's parser: the client does not guess, it hands over.
        var defaults = await ConfigAsync("ctl-default.conf", $"""
            [DEFAULT]
            serverurl=unix://{supervisor.Harness.Root}/supervisor.sock
            [supervisorctl]
            """);

        var status = await ClientAsync("status", "web", defaults);

        Assert.True(System.IO.File.Exists(Marker), "the client read a config with a [DEFAULT] section itself");
        Assert.Contains("web", status.StdoutText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_AnswerCannotBeRead_Exits3WithoutDoingItAgain()
    {
        // Given an endpoint that takes the request and answers something that is not XML-RPC (the logic of the
        // client's answer handling; the tests above use the real supervisord)
        var socketPath = Path.Combine(supervisor.Harness.Root, "broken.sock");
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
        listener.Listen();
        var requests = new List<string>();
        var serving = Task.Run(async () =>
        {
            while (true)
            {
                using var connection = await listener.AcceptAsync(TestContext.Current.CancellationToken);
                var received = new System.Text.StringBuilder();
                var buffer = new byte[4096];
                while (!received.ToString().Contains("</methodCall>", StringComparison.Ordinal))
                {
                    var n = await connection.ReceiveAsync(buffer, TestContext.Current.CancellationToken);
                    if (n == 0)
                    {
                        break;
                    }

                    received.Append(System.Text.Encoding.UTF8.GetString(buffer, 0, n));
                }

                lock (requests)
                {
                    requests.Add(received.ToString());
                }

                await connection.SendAsync("HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<methodResponse><params>"u8.ToArray(), TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);
        var broken = await ConfigAsync("ctl-broken.conf", $"[supervisorctl]\nserverurl=unix://{socketPath}");

        // When a start goes there
        var start = await ClientAsync("start", "web", broken);

        // Then the client says so and exits 3 (the caller reads the state), and the start went out once, never handed over
        Assert.Equal(3, start.ExitCode);
        Assert.StartsWith("web: ERROR (no readable answer from supervisord to start: ", start.StdoutText, StringComparison.Ordinal);
        Assert.False(System.IO.File.Exists(Marker), "the client handed a start that had gone out to supervisorctl");
        lock (requests)
        {
            Assert.Contains("<methodName>supervisor.startProcess</methodName>", Assert.Single(requests), StringComparison.Ordinal);
        }

        Assert.False(serving.IsCompleted, serving.Exception?.ToString());
    }

    private static string Pid(string status) =>
        System.Text.RegularExpressions.Regex.Match(status, @"pid (\d+)").Groups[1].Value;

    private string Marker => Path.Combine(supervisor.Harness.Root, "supervisorctl-called");

    private async Task<string> ConfigAsync(string fileName, string text)
    {
        var path = Path.Combine(supervisor.Harness.Root, fileName);
        await System.IO.File.WriteAllTextAsync(path, text + "\n", TestContext.Current.CancellationToken);
        return path;
    }

    private async Task<CommandResult> ClientAsync(string action, string program, string config)
    {
        var bin = Path.Combine(supervisor.Harness.Root, "bin");
        await supervisor.Harness.RunAsync(
            $"mkdir -p {Sh.Quote(bin)}; real=$(command -v supervisorctl); " +
            $"printf '#!/bin/sh\\ntouch %s\\nexec %s \"$@\"\\n' {Sh.Quote(Marker)} \"$real\" > {Sh.Quote(bin)}/supervisorctl; chmod +x {Sh.Quote(bin)}/supervisorctl");
        var words = SupervisorClient.CommandWords(action, program, config);
        return await supervisor.Harness.Host.RunAsync(
            new HostCommand($"PATH={Sh.Quote(bin)}:$PATH {string.Join(' ', words.Select(Sh.Quote))}"), CancellationToken.None)
            .WaitAsync(StepHarness.Timeout, TestContext.Current.CancellationToken);
    }
}
