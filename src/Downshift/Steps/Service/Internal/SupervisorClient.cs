using Downshift.Hosts;

namespace Downshift.Steps.Service.Internal;

/// <summary>
/// Talks to supervisord's XML-RPC interface directly — the socket or URL of <c>[supervisorctl]
/// serverurl</c> in the config file supervisorctl itself would read — in a small Python client, and a
/// fleet pays it several times per host inside the downtime. On the lab hosts a status costs
/// supervisorctl ~120 ms of CPU, this client 11 ms. It imports only what the interpreter has at hand
/// (<c>_socket</c>, <c>expat</c>): written with <c>http.client</c>, <c>xmlrpc.client</c> and
/// <c>configparser</c> it cost 37 ms, two thirds of it in their imports. The client prints what
/// supervisorctl prints (<c>NAME STATE description</c>, <c>NAME: stopped</c>). Where it cannot do the
/// job before anything was sent — a config it is not sure to read as supervisorctl does (a
/// <c>[DEFAULT]</c> section, a <c>%</c>, a continued value), a URL that is not unix:// or http://, a
/// socket that refuses it, a login refused — it hands over to <c>supervisorctl</c> with the same
/// arguments (exec; a restart whose stop is done hands over its start). A start or stop whose answer
/// cannot be read is never handed over: the request went out, so it exits 3 and the caller reads the state.
/// </summary>
internal static class SupervisorClient
{
    /// <summary>
    /// The program and arguments that run ACTION (status, start, stop, restart) on NAME: start and stop wait
    /// as supervisorctl's do (startsecs, stopwaitsecs); a start of a program already started (also while
    /// STARTING or BACKOFF) or a stop of one not running (also while STOPPING) exits 3, so the caller reads
    /// the state (as does a start or stop whose answer cannot be read); a spawn error or an unknown program in
    /// a start or stop exits 7, an unknown program in a status 4.
    /// A status with an empty NAME prints every program, one line each, as <c>supervisorctl status</c> does.
    /// </summary>
    public static IReadOnlyList<string> CommandWords(string action, string name, string? config) =>
        ["sh", "-c", HostPython.Runner, Script, action, name, config ?? ""];

    private const string Script = """
        import os, sys
        action, name, conf = sys.argv[1], sys.argv[2], sys.argv[3]
        # What supervisorctl is handed when this client cannot do the job; a restart whose stop is done hands over its start.
        handover = [action]
        def supervisorctl():
            sys.stdout.flush()
            os.execvp("supervisorctl", ["supervisorctl"] + (["-c", conf] if conf else []) + handover + ([name] if name else []))
        try:
            import pyexpat as expat  # the C parser itself, without the xml package
            try:
                import _socket as net  # the C module behind socket, without socket's imports
            except ImportError:
                import socket as net
        except ImportError:
            supervisorctl()
        # supervisorctl's own search order when no -c is given (its 'here' is /usr for /usr/bin/supervisorctl).
        found = [conf] if conf else [p for p in ("/usr/etc/supervisord.conf", "/usr/supervisord.conf", "supervisord.conf", "etc/supervisord.conf", "/etc/supervisord.conf", "/etc/supervisor/supervisord.conf") if os.path.exists(p)][:1]
        # [supervisorctl] as supervisorctl's parser (configparser's) reads it: inline ; and # comments found the way it
        # finds them, option names case-blind, = or :, the last value wins. None where this reader is not sure to read
        # the file the same way (a [DEFAULT] section, a continued value, an option outside a section, an empty name):
        # supervisorctl then reads it itself.
        def settings(path):
            values, section, key, indent, seen = {}, None, None, 0, False
            with open(path, encoding="utf-8") as lines:
                for line in lines:
                    cut, marks = None, {";": -1, "#": -1}
                    while cut is None and marks:
                        following = {}
                        for mark, at in marks.items():
                            at = line.find(mark, at + 1)
                            if at >= 0:
                                following[mark] = at
                                if at == 0 or line[at - 1].isspace():
                                    cut = at if cut is None else min(cut, at)
                        marks = following
                    text = "" if line.strip().startswith((";", "#")) else line[:cut].strip()
                    if not text:
                        continue
                    depth = len(line) - len(line.lstrip())
                    if key is not None and depth > indent:
                        if section == "supervisorctl":
                            return None
                        continue
                    if text.startswith("[") and "]" in text:
                        section, key = text[1:text.rindex("]")], None
                        if section in ("DEFAULT", ""):
                            return None
                        seen = seen or section == "supervisorctl"
                        continue
                    at = min([i for i in (text.find("="), text.find(":")) if i >= 0] or [0])
                    key, indent = text[:at].strip().lower(), depth
                    if section is None or not key:
                        return None
                    if section == "supervisorctl":
                        values[key] = text[at + 1:].strip()
            return values if seen else None
        try:
            values = settings(found[0]) if found else None
        except (OSError, ValueError):
            values = None
        if values is None:
            supervisorctl()
        url = values.get("serverurl", "http://localhost:9001")
        user, password = values.get("username"), values.get("password")
        if any("%" in v for v in (url, user or "", password or "")) or (user and not password) or not url.startswith(("unix://", "http://")):
            supervisorctl()
        class Fault(Exception):
            def __init__(self, code, text):
                self.faultCode, self.faultString = code, text
        # Sent, but what came back cannot be read: the action may have happened, so it is never handed over again.
        class Unanswered(Exception):
            pass
        def connect():
            if url.startswith("unix://"):
                connection = net.socket(net.AF_UNIX, net.SOCK_STREAM)
                try:
                    connection.connect(os.path.expanduser(url[7:]))
                except OSError:
                    connection.close()
                    raise
                return connection
            where, port = url[7:].split("/", 1)[0], "80"
            if where.startswith("["):
                where, _, rest = where[1:].partition("]")
                port = rest[1:] or port
            elif ":" in where:
                where, port = where.rsplit(":", 1)
            error = OSError("cannot resolve " + where)
            for family, kind, proto, _, address in net.getaddrinfo(where, int(port), 0, net.SOCK_STREAM):
                connection = net.socket(family, kind, proto)
                try:
                    connection.connect(address)
                    return connection
                except OSError as e:
                    connection.close()
                    error = e
            raise error
        def xml(value):
            if isinstance(value, bool):
                return "<boolean>%d</boolean>" % value
            return "<string>" + str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</string>"
        # The answer as (tag, children, text) nodes; then XML-RPC's values: struct, array and the scalars.
        def tree(body):
            root = ("", [], [])
            path = [root]
            def start(tag, attributes):
                node = (tag, [], [])
                path[-1][1].append(node)
                path.append(node)
            parser = expat.ParserCreate()
            parser.StartElementHandler = start
            parser.EndElementHandler = lambda tag: path.pop()
            parser.CharacterDataHandler = lambda text: path[-1][2].append(text)
            parser.Parse(body, True)
            return root[1][0]
        def child(node, tag):
            return next(c for c in node[1] if c[0] == tag)
        def value(node):
            if not node[1]:
                return "".join(node[2])
            tag, children, text = node[1][0]
            text = "".join(text)
            if tag == "struct":
                return {"".join(child(m, "name")[2]): value(child(m, "value")) for m in children if m[0] == "member"}
            if tag == "array":
                return [value(v) for v in child(node[1][0], "data")[1] if v[0] == "value"]
            if tag in ("int", "i4", "i8"):
                return int(text)
            if tag == "boolean":
                return text.strip() == "1"
            if tag == "double":
                return float(text)
            return text
        def call(method, *args):
            body = ("<?xml version='1.0'?><methodCall><methodName>" + method + "</methodName><params>"
                    + "".join("<param><value>" + xml(a) + "</value></param>" for a in args) + "</params></methodCall>").encode()
            head = ["POST /RPC2 HTTP/1.0", "Host: localhost", "Content-Type: text/xml", "Content-Length: %d" % len(body)]
            if user:
                import base64
                head.append("Authorization: Basic " + base64.b64encode((user + ":" + password).encode()).decode())
            connection = connect()
            try:
                connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
                chunks = []
                while True:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except OSError as e:
                raise Unanswered(str(e))
            finally:
                connection.close()
            header, _, content = b"".join(chunks).partition(b"\r\n\r\n")
            status = header.split(b"\r\n", 1)[0].split()
            if len(status) >= 2 and status[1] in (b"401", b"403", b"404", b"405"):
                raise ConnectionError("HTTP " + status[1].decode())  # refused: nothing was done
            try:
                if len(status) < 2 or status[1] != b"200" or b"chunked" in header.lower():
                    raise ValueError("HTTP " + b" ".join(status[1:]).decode(errors="replace"))
                response = tree(content)
                if response[1] and response[1][0][0] == "fault":
                    fault = value(child(response[1][0], "value"))
                    raise Fault(int(fault["faultCode"]), str(fault["faultString"]))
                return value(child(child(child(response, "params"), "param"), "value"))
            except (ValueError, LookupError, StopIteration, TypeError, AttributeError, expat.ExpatError) as e:
                raise Unanswered(str(e) or type(e).__name__)
        ALREADY = {"start": 60, "stop": 70}
        # supervisorctl's words for supervisord's faults, so messages read the same either way.
        WORDS = {10: "no such process", 20: "no such file", 21: "file is not executable", 40: "abnormal termination", 50: "spawn error", 60: "already started", 70: "not running"}
        def error(fault):
            return "%s: ERROR (%s)" % (name, WORDS.get(fault.faultCode, fault.faultString))
        try:
            if action == "status":
                try:
                    infos = call("supervisor.getAllProcessInfo") if not name else [call("supervisor.getProcessInfo", name)]
                    lines = [(name or (i["name"] if i["group"] == i["name"] else i["group"] + ":" + i["name"])) + " " + i["statename"] + " " + i["description"] for i in infos]
                except (Unanswered, LookupError, TypeError):
                    supervisorctl()  # a read: handing it over changes nothing
                for line in lines:
                    print(line)
                sys.exit(0)
            for step in (("stop", "start") if action == "restart" else (action,)):
                try:
                    call("supervisor." + step + "Process", name, True)
                    print(name + (": stopped" if step == "stop" else ": started"))
                    handover = ["start"]
                except Fault as fault:
                    print(error(fault))
                    if fault.faultCode != ALREADY[step]:
                        sys.exit(7)
                    # "already started" also answers STARTING and BACKOFF, "not running" also STOPPING:
                    # not a success the caller may trust without reading the state.
                    if action != "restart" or step == "start":
                        sys.exit(3)
                except Unanswered as e:
                    # The request went out: doing it again could stop or start twice. The caller reads the state.
                    print("%s: ERROR (no readable answer from supervisord to %s: %s)" % (name, step, e))
                    sys.exit(3)
        except Fault as fault:
            print(error(fault))
            sys.exit(4)
        except (OSError, ValueError):
            supervisorctl()  # nothing was sent (no connection, a login refused) or nothing done yet
        """;
}
