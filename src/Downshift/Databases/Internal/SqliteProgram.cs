namespace Downshift.Databases.Internal;

/// <summary>
/// The Python program that does SQLite's work on the host with the standard <c>sqlite3</c> module
/// (no sqlite3 command-line tool needed): <c>ACTION PATH [ARG]</c>, SQL on stdin.
/// <list type="bullet">
/// <item><c>backup PATH TARGET</c>: SQLite's online backup into TARGET, in one step inside one read
/// transaction — a consistent copy while other processes read and write (in WAL mode writers go on;
/// in rollback-journal mode a commit waits for the copy). The read lock is taken by a query first, so
/// it waits with the connection's busy timeout instead of the backup's coarse 250 ms retries.</item>
/// <item><c>integrity PATH</c>: <c>PRAGMA integrity_check</c> must answer <c>ok</c>.</item>
/// <item><c>query PATH</c>: one statement's rows as a JSON array of arrays of text (NULL as null,
/// integers and reals as Python prints them, blobs as hex).</item>
/// <item><c>execute PATH 1|0</c>: the script's statements one by one (split where
/// <c>sqlite3.complete_statement</c> says a statement ends, so each error knows its line), with 1
/// inside <c>BEGIN IMMEDIATE</c> … <c>COMMIT</c> and a ROLLBACK at the first error. Python's
/// <c>executescript</c> is not used: it commits an open transaction first.</item>
/// <item><c>fingerprint PATH</c>: the lines <see cref="FingerprintLines"/> reads, in one read
/// transaction: the schema (sqlite_master's SQL, whitespace folded, and the table, column, foreign
/// key and index pragmas, sorted) and, per table, the rows ordered by every column (BINARY, then
/// type), each row's Python repr hashed in turn.</item>
/// </list>
/// Exit codes: 0 done, 2 an SQLite error (the message on stderr), 3 no such database file,
/// 4 the integrity check failed, 5 a statement of <c>execute</c> failed (<c>line N: message</c>).
/// </summary>
internal static class SqliteProgram
{
    public const int SqliteError = 2;
    public const int NoFile = 3;
    public const int IntegrityFailed = 4;
    public const int StatementFailed = 5;

    public const string Source = """
        import hashlib, json, os, re, sqlite3, sys, urllib.parse
        def fail(code, message):
            sys.stderr.buffer.write((message.strip() + "\n").encode("utf-8", "backslashreplace"))
            sys.exit(code)
        def connect(path):
            if not os.path.isfile(path):
                fail(3, "no database file " + path)
            return sqlite3.connect("file:" + urllib.parse.quote(path) + "?mode=rw", uri=True, isolation_level=None, timeout=60)
        def quote(name):
            return '"' + name.replace('"', '""') + '"'
        def text(value):
            if value is None or isinstance(value, str):
                return value
            if isinstance(value, bytes):
                return value.hex()
            return repr(value) if isinstance(value, float) else str(value)
        def backup(path, target):
            source, copy = connect(path), sqlite3.connect(target)
            source.execute("BEGIN")
            source.execute("SELECT count(*) FROM sqlite_master").fetchall()
            source.backup(copy)
            source.execute("ROLLBACK")
            copy.close()
            source.close()
        def integrity(path):
            found = [str(row[0]) for row in connect(path).execute("PRAGMA integrity_check")]
            if found != ["ok"]:
                fail(4, "integrity_check: " + "; ".join(found[:5]))
        def query(path):
            rows = connect(path).execute(sys.stdin.buffer.read().decode("utf-8"))
            sys.stdout.write(json.dumps([[text(value) for value in row] for row in rows]))
        SKIP = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
        def statements(script):
            start = 0
            for end in [i + 1 for i, c in enumerate(script) if c == ";"] + [len(script)]:
                chunk = script[start:end]
                if end == len(script) or sqlite3.complete_statement(chunk):
                    body = SKIP.match(chunk).end()
                    if chunk[body:].strip() not in ("", ";"):
                        yield script.count("\n", 0, start + body) + 1, chunk[body:]
                    start = end
        def execute(path, in_transaction):
            script = sys.stdin.buffer.read().decode("utf-8")
            db = connect(path)
            if in_transaction:
                db.execute("BEGIN IMMEDIATE")
            for line, statement in statements(script):
                try:
                    db.execute(statement)
                except (sqlite3.Error, sqlite3.Warning) as error:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    fail(5, "line %d: %s" % (line, error))
            if in_transaction and db.in_transaction:
                db.execute("COMMIT")
        def fingerprint(path):
            db = connect(path)
            db.text_factory = lambda data: data.decode("utf-8", "surrogateescape")
            db.execute("BEGIN")
            objects = db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY type, name").fetchall()
            lines = []
            for kind, name, table, sql in objects:
                lines.append(json.dumps([kind, name, table, " ".join((sql or "").split())]))
                for pragma in {"table": ("table_xinfo", "foreign_key_list", "index_list"), "index": ("index_xinfo",)}.get(kind, ()):
                    lines += [json.dumps([pragma, name] + list(row)) for row in db.execute("SELECT * FROM pragma_%s(?)" % pragma, (name,))]
            print(json.dumps(["schema", hashlib.sha256("\n".join(sorted(lines)).encode("utf-8", "surrogateescape")).hexdigest()]))
            for kind, name, _, _ in objects:
                if kind != "table":
                    continue
                columns = [quote(row[1]) for row in db.execute("SELECT * FROM pragma_table_info(?)", (name,))]
                order = " ORDER BY " + ", ".join("%s COLLATE BINARY, typeof(%s)" % (c, c) for c in columns) if columns else ""
                rows, digest = 0, hashlib.sha256()
                for row in db.execute("SELECT * FROM " + quote(name) + order):
                    digest.update(repr(row).encode("utf-8", "surrogateescape") + b"\n")
                    rows += 1
                print(json.dumps(["table", name, rows, digest.hexdigest()]))
            db.execute("ROLLBACK")
        action, path = sys.argv[1], sys.argv[2]
        try:
            if action == "backup":
                backup(path, sys.argv[3])
            elif action == "integrity":
                integrity(path)
            elif action == "query":
                query(path)
            elif action == "execute":
                execute(path, sys.argv[3] == "1")
            elif action == "fingerprint":
                fingerprint(path)
            else:
                fail(2, "unknown action " + action)
        except (sqlite3.Error, sqlite3.Warning) as error:
            fail(2, str(error))
        """;
}
