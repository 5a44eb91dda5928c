using Downshift.Hosts;

namespace Downshift.Steps.Service.Internal;

/// <summary>
/// Talks to supervisord's XML-RPC interface directly — the socket or URL of <c>[supervisorctl]
/// serverurl</c> in the config file supervisorctl itself would read — in a small Python client: a
/// <c>supervisorctl</c> call costs ~0.4–0.6 s of CPU in imports, this one ~0.15 s, and a fleet pays it
/// several times per host inside the downtime. The client prints what supervisorctl prints
/// (<c>NAME STATE description</c>, <c>NAME: stopped</c>), and where it cannot do the job — a config it
/// cannot read (<c>%(ENV_X)s</c> expansions), a URL that is not unix:// or http://, a socket that refuses
/// it — it hands over to <c>supervisorctl</c> with the same arguments (exec), so nothing is lost.
/// </summary>
internal static class SupervisorClient
{
    /// <summary>
    /// The program and arguments that run ACTION (status, start, stop, restart) on NAME: start and stop wait
    /// as supervisorctl's do (startsecs, stopwaitsecs); a start of a program already started (also while
    /// STARTING or BACKOFF) or a stop of one not running (also while STOPPING) exits 3, so the caller reads
    /// the state; a spawn error or an unknown program in a start or stop exits 7, an unknown program in a status 4.
    /// A status with an empty NAME prints every program, one line each, as <c>supervisorctl status</c> does.
    /// </summary>
    public static IReadOnlyList<string> CommandWords(string action, string name, string? config) =>
        ["sh", "-c", HostPython.Runner, Script, action, name, config ?? ""];

    private const string Script = """
        import configparser, http.client, os, socket, sys, xmlrpc.client
        action, name, conf = sys.argv[1], sys.argv[2], sys.argv[3]
        def supervisorctl():
            sys.stdout.flush()
            os.execvp("supervisorctl", ["supervisorctl"] + (["-c", conf] if conf else []) + [action] + ([name] if name else []))
        # supervisorctl's own search order when no -c is given (its 'here' is /usr for /usr/bin/supervisorctl).
        found = [conf] if conf else [p for p in ("/usr/etc/supervisord.conf", "/usr/supervisord.conf", "supervisord.conf", "etc/supervisord.conf", "/etc/supervisord.conf", "/etc/supervisor/supervisord.conf") if os.path.exists(p)][:1]
        try:
            parser = configparser.RawConfigParser(inline_comment_prefixes=(";", "#"), strict=False)
            parser.read(found)
            url = parser.get("supervisorctl", "serverurl", fallback="http://localhost:9001")
            user = parser.get("supervisorctl", "username", fallback=None)
            password = parser.get("supervisorctl", "password", fallback=None)
        except Exception:
            supervisorctl()
        if not found or "%(" in url or (user and not password) or not url.startswith(("unix://", "http://")):
            supervisorctl()
        class Connection(http.client.HTTPConnection):
            def connect(self):
                if url.startswith("unix://"):
                    self.sock = socket.socket(socket.AF_UNIX)
                    self.sock.connect(os.path.expanduser(url[7:]))
                else:
                    super().connect()
        def call(method, *args):
            connection = Connection("localhost" if url.startswith("unix://") else url[7:].split("/", 1)[0], timeout=None)
            headers = {"Content-Type": "text/xml"}
            if user:
                import base64
                headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
            connection.request("POST", "/RPC2", xmlrpc.client.dumps(args, method), headers)
            response = connection.getresponse()
            if response.status != 200:
                raise ConnectionError(f"HTTP {response.status}")
            return xmlrpc.client.loads(response.read())[0][0]
        ALREADY = {"start": 60, "stop": 70}
        # supervisorctl's words for supervisord's faults, so messages read the same either way.
        WORDS = {10: "no such process", 20: "no such file", 21: "file is not executable", 40: "abnormal termination", 50: "spawn error", 60: "already started", 70: "not running"}
        def error(fault):
            return f"{name}: ERROR ({WORDS.get(fault.faultCode, fault.faultString)})"
        try:
            if action == "status" and not name:
                for info in call("supervisor.getAllProcessInfo"):
                    label = info["name"] if info["group"] == info["name"] else f"{info['group']}:{info['name']}"
                    print(f"{label} {info['statename']} {info['description']}")
                sys.exit(0)
            if action == "status":
                info = call("supervisor.getProcessInfo", name)
                print(f"{name} {info['statename']} {info['description']}")
                sys.exit(0)
            for step in (("stop", "start") if action == "restart" else (action,)):
                try:
                    call(f"supervisor.{step}Process", name, True)
                    print(f"{name}: {step}ped" if step == "stop" else f"{name}: started")
                except xmlrpc.client.Fault as fault:
                    print(error(fault))
                    if fault.faultCode != ALREADY[step]:
                        sys.exit(7)
                    # "already started" also answers STARTING and BACKOFF, "not running" also STOPPING:
                    # not a success the caller may trust without reading the state.
                    if action != "restart" or step == "start":
                        sys.exit(3)
        except xmlrpc.client.Fault as fault:
            print(error(fault))
            sys.exit(4)
        except (OSError, http.client.HTTPException):
            supervisorctl()
        """;
}
