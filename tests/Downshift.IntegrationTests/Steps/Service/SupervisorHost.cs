using System.Globalization;
using Downshift.Hosts;
using Downshift.IntegrationTests.TestSupport;

namespace Downshift.IntegrationTests.Steps.Service;

/// <summary>
/// A real supervisord of its own in a temporary directory, with programs that behave well or badly:
/// <c>web</c> (a Python HTTP server on <see cref="Port"/>), <c>deaf</c> (runs, never listens),
/// <c>crashy</c> (exits at once, saying why), <c>slow</c> (STARTING for 10 s) and <c>stubborn</c> (ignores SIGTERM; killed after 5 s).
/// None starts on its own. Disposing shuts that supervisord down (by its own PID) and removes the directory.
/// </summary>
public sealed class SupervisorHost : IAsyncDisposable
{
    private readonly StepHarness harness;

    private SupervisorHost(StepHarness harness, int port, int rpcPort)
    {
        this.harness = harness;
        Port = port;
        RpcPort = rpcPort;
    }

    public int Port { get; }

    /// <summary>supervisord's XML-RPC over TCP on 127.0.0.1, login <see cref="RpcUser"/> / <see cref="RpcPassword"/> (the config's own client uses the socket).</summary>
    public int RpcPort { get; }

    public const string RpcUser = "ops";

    public const string RpcPassword = "s3cret";

    public string Config => Path.Combine(harness.Root, "supervisord.conf");

    public StepHarness Harness => harness;

    public static async Task<SupervisorHost> StartAsync()
    {
        var webPort = Ports.GetFreeTcpPort();
        var rpcPort = Ports.GetFreeTcpPort();
        while (rpcPort == webPort)
        {
            rpcPort = Ports.GetFreeTcpPort();
        }

        var host = new SupervisorHost(new StepHarness(), webPort, rpcPort);
        var dir = host.harness.Root;
        var port = host.Port.ToString(CultureInfo.InvariantCulture);
        await System.IO.File.WriteAllTextAsync(host.Config, $"""
            [unix_http_server]
            file={dir}/supervisor.sock
            [inet_http_server]
            port=127.0.0.1:{host.RpcPort.ToString(CultureInfo.InvariantCulture)}
            username={RpcUser}
            password={RpcPassword}
            [supervisord]
            pidfile={dir}/supervisord.pid
            logfile={dir}/supervisord.log
            childlogdir={dir}
            directory={dir}
            [rpcinterface:supervisor]
            supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
            [supervisorctl]
            serverurl=unix://{dir}/supervisor.sock
            [program:web]
            command=python3 -m http.server {port} --bind 127.0.0.1
            autostart=false
            startsecs=0
            [program:deaf]
            command=sleep 1000
            autostart=false
            startsecs=0
            [program:crashy]
            command=bash -c 'echo "cannot open database: no such file" >&2; exit 78'
            autostart=false
            startsecs=1
            startretries=0
            [program:slow]
            command=sleep 1000
            autostart=false
            startsecs=10
            [program:stubborn]
            command=bash -c 'trap "" TERM; while :; do sleep 0.2; done'
            autostart=false
            startsecs=0
            stopwaitsecs=5
            killasgroup=true

            """);
        await host.harness.RunAsync(
            $"supervisord -c {Sh.Quote(host.Config)} </dev/null >/dev/null 2>&1; " +
            $"for i in $(seq 100); do supervisorctl -c {Sh.Quote(host.Config)} pid >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1");
        return host;
    }

    /// <summary>What supervisorctl says of a program, read straight from supervisord (not through the step).</summary>
    public async Task<string> StatusAsync(string program)
    {
        var result = await harness.Host.RunAsync(
            new HostCommand($"supervisorctl -c {Sh.Quote(Config)} status {program}"), CancellationToken.None).WaitAsync(StepHarness.Timeout);
        return result.StdoutText;
    }

    public async ValueTask DisposeAsync()
    {
        var pidFile = Path.Combine(harness.Root, "supervisord.pid");
        if (System.IO.File.Exists(pidFile))
        {
            var pid = (await System.IO.File.ReadAllTextAsync(pidFile)).Trim();
            await harness.Host.RunAsync(
                new HostCommand($"kill -TERM {pid}; for i in $(seq 150); do kill -0 {pid} 2>/dev/null || exit 0; sleep 0.1; done; kill -KILL {pid}"),
                CancellationToken.None).WaitAsync(StepHarness.Timeout);
        }

        await harness.DisposeAsync();
    }
}
