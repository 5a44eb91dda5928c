#!/usr/bin/env python3
"""Writes bench/results/backup.md from a bench/backup/run.sh work directory (to stdout).

usage: report.py WORK ROUNDS FILES FILE_BYTES DB_BYTES CHANGED LOAD_START LOAD_END V_DOWNSHIFT V_RESTIC V_POSTGRES
"""
import datetime
import json
import os
import re
import statistics
import sys

work, rounds, files_count, files_bytes, db_bytes, changed, load_start, load_end, v_ds, v_restic, v_pg = sys.argv[1:12]
rounds, files_count, files_bytes, db_bytes = int(rounds), int(files_count), int(files_bytes), int(db_bytes)
TOOLS = {"D": "Downshift", "R": "restic"}
KINDS = ("full", "incremental")
MB = 1_000_000
TICK = os.sysconf("SC_CLK_TCK")


def time_v(path):
    """Peak RSS (MB) and CPU seconds (user + system) from a /usr/bin/time -v file."""
    text = open(path).read()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) * 1024 / MB
    cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", text).group(1)) for k in ("User", "System"))
    return rss, cpu


def sessions(start, end):
    """The PostgreSQL sessions in the server log's byte range: (start, end, database, application)."""
    with open(os.path.join(work, "server.log"), "rb") as f:
        f.seek(start)
        text = f.read(end - start).decode("utf-8", "replace")
    line = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) UTC \[(\d+)\] db=(\S*) app=(\S*) LOG:  (connection received|disconnection)")
    open_, done = {}, []
    for raw in text.splitlines():
        m = line.match(raw)
        if not m:
            continue
        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc).timestamp()
        pid = m.group(2)
        if m.group(5) == "connection received":
            open_[pid] = t
        elif pid in open_:
            database = re.search(r"database=(\S+)", raw).group(1)
            done.append((open_.pop(pid), t, database, m.group(4)))
    return sorted(done)


rows = []
for raw in open(os.path.join(work, "rows.tsv")):
    r, pos, tool, kind, start, end, rc, size, load, procs, server_ticks, log0, log1, data_bytes = raw.rstrip("\n").split("\t")
    row = dict(round=int(r), pos=int(pos), tool=tool, kind=kind, start=float(start), end=float(end), rc=int(rc),
               size=int(size) / MB, load=float(load), procs=int(procs), server_cpu=int(server_ticks) / TICK,
               raw=(int(data_bytes) + db_bytes) / MB)
    row["wall"] = row["end"] - row["start"]
    row["mbps"] = row["raw"] / row["wall"]
    tag = f"r{r}-{tool}-{kind}"
    if tool == "D":
        row["rss"], row["cpu"] = time_v(os.path.join(work, f"{tag}.time")) if row["rc"] == 0 else (0, 0)
        if row["rc"] == 0:
            js = json.loads(open(os.path.join(work, f"{tag}.out")).read())[0]
            row["json"] = js
            row["sessions"] = sessions(int(log0), int(log1))
    else:
        parts = {}
        for name in ("files", "db", "check"):
            path = os.path.join(work, f"{tag}-{name}.time")
            if os.path.exists(path):
                parts[name] = time_v(path)
        row["rss"] = max((p[0] for p in parts.values()), default=0)
        row["cpu"] = sum(p[1] for p in parts.values())
        row["parts"] = {}
        if os.path.exists(os.path.join(work, f"{tag}.parts")):
            for line in open(os.path.join(work, f"{tag}.parts")):
                name, a, b = line.split()
                row["parts"][name] = float(b) - float(a)
        summary = None
        if os.path.exists(os.path.join(work, f"{tag}-files.out")):
            for line in open(os.path.join(work, f"{tag}-files.out")):
                if '"summary"' in line:
                    summary = json.loads(line)
        row["summary"] = summary
    rows.append(row)

ok = [r for r in rows if r["rc"] == 0]


def med(values):
    return statistics.median(values) if values else float("nan")


def stat(values, fmt="{:.1f}"):
    if not values:
        return "–", "–", "–"
    return fmt.format(med(values)), fmt.format(min(values)), fmt.format(max(values))


def pick(tool, kind, key):
    return [r[key] for r in ok if r["tool"] == tool and r["kind"] == kind]


def same_round(kind, f):
    out = []
    for n in range(1, rounds + 1):
        d = [r for r in ok if r["round"] == n and r["kind"] == kind and r["tool"] == "D"]
        s = [r for r in ok if r["round"] == n and r["kind"] == kind and r["tool"] == "R"]
        if d and s:
            out.append(f(d[0], s[0]))
    return out


def timeline(r):
    """Downshift's wall time split by its --json and the server's sessions: {part: seconds}."""
    s = r["sessions"]
    scratch = next((i for i, x in enumerate(s) if x[2].startswith("dsverify")), None)
    dump = s[: scratch - 1] if scratch else s
    verify = s[scratch - 1:] if scratch else []
    js = r["json"]
    started = datetime.datetime.fromisoformat(re.sub(r"(\.\d{6})\d*", r"\1", js["started"])).timestamp()
    out = {"start": started - r["start"]}
    out["files"] = (dump[0][0] if dump else started + js["backupSeconds"]) - started
    if dump:
        out["db_backup"] = dump[-1][1] - dump[0][0]
        out["db_sessions"] = [x[1] - x[0] for x in dump]
    out["db_verify"] = verify[-1][1] - verify[0][0] if verify else 0.0
    out["db_verify_sessions"] = [x[1] - x[0] for x in verify]
    out["files_verify"] = js["verification"]["seconds"] - out["db_verify"]
    out["other"] = r["wall"] - sum(out[k] for k in ("start", "files", "db_verify", "files_verify")) - out.get("db_backup", 0)
    out["backup"] = js["backupSeconds"]
    out["verification"] = js["verification"]["seconds"]
    alive = processes(os.path.join(work, f"r{r['round']}-D-{r['kind']}.samples"))
    for key in ("find", "tar_c", "tar_x"):
        if key in alive:
            out[key] = alive[key]
    if "tar_x" in alive:
        out["compare"] = out["files_verify"] - alive["tar_x"]
    return out


def processes(path, period=0.2):
    """How long (s) the sampler saw find, tar -c and tar -x alive: (last - first sample) + one period."""
    seen = {}
    if not os.path.exists(path):
        return {}
    for line in open(path):
        t, _, procs = line.rstrip("\n").partition(" ")
        for proc in filter(None, procs.split(";")):
            args = proc.split(" ", 1)[1] if " " in proc else ""
            key = "find" if args.startswith("find ") else "tar_c" if " -cf " in args else "tar_x" if " -xpf " in args else None
            if key:
                first, _ = seen.get(key, (float(t), 0))
                seen[key] = (first, float(t))
    return {k: b - a + period for k, (a, b) in seen.items()}


now = datetime.datetime.now(datetime.timezone.utc)
mem = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1)) / 1024 / 1024
raw_full = med([r["raw"] for r in ok if r["kind"] == "full"])
p = print
p("# Backup + restore-verification: Downshift vs restic (issue 4)")
p()
p(f"Measured {now:%Y-%m-%d %H:%M} UTC by `bench/backup/run.sh {rounds}` on {os.uname().nodename}: {os.cpu_count()} cores, "
  f"{mem:.1f} GiB, load at the start {load_start}, at the end {load_end} (other engineers were building and testing on the same machine: see *load before* below).")
restic_config = json.load(open(os.path.join(work, "restic-config.json")))
p(f"Versions: `{v_ds}` (downshift), {v_restic} (repository format {restic_config['version']}), {v_pg} (the private server), "
  f"pg_dump {os.popen('pg_dump --version').read().split()[-3]}.")
p()
p(f"**Data set** (generated once per run by `bench/backup/dataset.py`, seeded, fixed mtimes): {files_count:,} files, "
  f"{files_bytes / MB:,.0f} MB — 20,000 config-like text files of 0.2–16 KB, 150 logs of 0.5–4 MB, two 128 MiB binaries with 4 bits "
  f"of entropy per byte (zstd: ~1.9×) and two 128 MiB of random bytes (incompressible) — plus the PostgreSQL database `shop` "
  f"(one table, 1,000,000 rows, `pg_database_size` {db_bytes / MB:,.0f} MB) on a private PostgreSQL 15 server started for the run "
  f"(PostgreSQL's defaults; socket only). **Raw size** for the throughput: files + `pg_database_size` = {raw_full:,.0f} MB "
  f"(the same figure for both tools and for the full and the incremental: throughput is *data set protected per second*).")
p()
p(f"**Incremental:** after the full backup, {changed} files (1%) change: 200 config files rewritten (new content of about the same size), "
  f"2 logs appended to (256 KB each). The database does not change.")
p()
p("- **Downshift** — one command: `downshift backup local --path DATA --postgres shop --pg-host SOCKDIR --pg-port PORT "
  "--pg-run-as postgres --backup-store STORE --backup-key KEY --source bench --json` (`--incremental` for the second). "
  "It lists the files (`find`), streams them through `tar` into one zstd-3 (multithreaded) blob, encrypted (AES-256-GCM, "
  "the key is given so that both tools encrypt: restic always does), hashed and fsynced; fingerprints the database "
  "(row count and a SHA-256 over every row, in one snapshot), dumps it (`pg_dump -Fc`, zstd on top) and fingerprints it "
  "again; commits the manifest. Then it **verifies by restoring**: the whole chain's files extracted into a scratch "
  "directory and every file re-hashed against the manifest; the dump restored into a scratch database "
  "(`pg_restore`) and fingerprinted row for row against the source. The incremental stores only changed files "
  "(size/mtime/mode/owner against the chain) and skips the dump when the database's fingerprint equals the verified "
  "copy's; its verification restores the whole chain again.")
p("- **restic** — `restic init` (not measured), then `restic backup DATA`, `pg_dump -Fc shop | restic backup --stdin "
  "--stdin-filename shop.dump`, `restic check --read-data`; for the incremental the same three commands again "
  "(restic finds the parent snapshot itself; the dump is read again and deduplicated). restic's defaults: repository "
  "format 2 with compression `auto` (zstd), 16 MiB packs, content-defined chunking, encryption (AES-256-CTR + "
  "Poly1305), `GOMAXPROCS` = cores, its cache in the run's directory; `check` uses a fresh temporary cache (its default) "
  "and `--read-data` reads and verifies every pack of the repository.")
p("- **Fair:** same data, same disk (`/tmp`, ext4 on the same virtual disk), a fresh store/repository per round, `sync` "
  "before every measurement; page caches are dropped for **neither** tool (the machine is shared; the data set, 1 GiB "
  f"of {mem:.0f} GiB, is read from the page cache by both). The order alternates: D R, then R D, ...")
p("- **Measured:** wall time around the whole (backup + verification; for restic the three commands), peak RSS and CPU "
  "(user+system) from `/usr/bin/time -v` (for Downshift including the `tar`, `find`, `pg_dump`, `psql` and `pg_restore` "
  "it starts; for restic the `restic` processes, not `pg_dump`), the store's size on disk (`du -B1`), and the CPU the "
  "PostgreSQL server spent in the measurement's sessions (the postmaster's reaped children).")
p()
p("## Every measurement")
p()
p("| round | order | tool | kind | total (s) | MB/s | store on disk (MB) | peak RSS (MB) | CPU (s) | server CPU (s) | exit | load before | dotnet processes before |")
p("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    p(f"| {r['round']} | {r['pos']} | {TOOLS[r['tool']]} | {r['kind']} | {r['wall']:.1f} | {r['mbps']:.1f} | {r['size']:.0f} | "
      f"{r['rss']:.0f} | {r['cpu']:.1f} | {r['server_cpu']:.1f} | {r['rc']} | {r['load']:.2f} | {r['procs']} |")
p()
p("## Per tool (successful measurements: median, min, max)")
p()
p("| tool | kind | n | total (s) | throughput (MB/s) | store on disk (MB) | peak RSS (MB) | CPU (s) |")
p("|---|---|---|---|---|---|---|---|")
for kind in KINDS:
    for tool in TOOLS:
        n = len(pick(tool, kind, "wall"))
        cells = [" / ".join(stat(pick(tool, kind, key), fmt)) for key, fmt in
                 (("wall", "{:.1f}"), ("mbps", "{:.1f}"), ("size", "{:.0f}"), ("rss", "{:.0f}"), ("cpu", "{:.1f}"))]
        p(f"| {TOOLS[tool]} | {kind} | {n} | " + " | ".join(cells) + " |")
p()
p("Store on disk after the incremental is the whole store (full + incremental).")
p()
p("## Ratios (the same round's two measurements; median over rounds)")
p()
p("| ratio | per round | median | goal | |")
p("|---|---|---|---|---|")
for kind in KINDS:
    per = same_round(kind, lambda d, s: d["mbps"] / s["mbps"])
    m = med(per)
    verdict = "–" if not per else ("**met**" if m >= 1.0 else f"**missed**: restic is {1 / m:.2f}× faster")
    p(f"| Downshift / restic throughput, {kind} | {', '.join(f'{x:.2f}' for x in per)} | {m:.2f}× | ≥ 1.0× | {verdict} |")
for kind in KINDS:
    per = same_round(kind, lambda d, s: d["size"] / s["size"])
    p(f"| Downshift / restic store size, {kind} | {', '.join(f'{x:.2f}' for x in per)} | {med(per):.2f}× | | |")
for kind in KINDS:
    per = same_round(kind, lambda d, s: d["rss"] / s["rss"])
    p(f"| Downshift / restic peak RSS, {kind} | {', '.join(f'{x:.2f}' for x in per)} | {med(per):.2f}× | | |")
for kind in KINDS:
    per = same_round(kind, lambda d, s: (d["cpu"] + d["server_cpu"]) / (s["cpu"] + s["server_cpu"]))
    p(f"| Downshift / restic CPU (tool + PostgreSQL server), {kind} | {', '.join(f'{x:.2f}' for x in per)} | {med(per):.2f}× | | |")
p()
p("## Where the time goes")
p()
p("**Downshift** (medians over its runs, seconds). From its `--json` (`backupSeconds`, `verification.seconds`, "
  "`durationSeconds`) and the PostgreSQL server's connection log (`log_connections`/`log_disconnections`: when each "
  "`psql`/`pg_dump`/`pg_restore` session started and ended):")
p()
p("| part | full | incremental |")
p("|---|---|---|")
lines = {}
for kind in KINDS:
    ts = [timeline(r) for r in ok if r["tool"] == "D" and r["kind"] == kind]
    lines[kind] = ts
labels = [
    ("start", "process start → backup started (.NET start, store opened, parent chain read)"),
    ("files", "files backed up: `find`, `tar`, hash, zstd, encrypt, write, fsync"),
    ("find", "… of which `find` alive (listing, metadata)"),
    ("tar_c", "… of which `tar -c` alive (reading the files; the stream is hashed, compressed, encrypted as it comes)"),
    ("db_backup", "database backed up: fingerprint, `pg_dump -Fc` (+ zstd, encrypt); the incremental fingerprints again after the dump"),
    ("files_verify", "verification of the files: chain restored into scratch (`tar -x`), every file re-hashed"),
    ("tar_x", "… of which `tar -x` alive (the chain decrypted, decompressed, merged and written into scratch)"),
    ("compare", "… of which after `tar -x`: every restored file read and SHA-256'd, compared, scratch deleted"),
    ("db_verify", "verification of the database: create scratch, `pg_restore`, fingerprint, drop"),
    ("other", "the rest: manifest commit and fsync, verdict stored, process exit"),
    ("backup", "= `backupSeconds` (the backup, before verification)"),
    ("verification", "= `verification.seconds`"),
]
for key, label in labels:
    cells = []
    for kind in KINDS:
        vals = [t[key] for t in lines[kind] if key in t]
        cells.append(f"{med(vals):.1f}" if vals else "–")
    p(f"| {label} | {cells[0]} | {cells[1]} |")
p()
for kind in KINDS:
    ts = lines[kind]
    if ts and ts[0].get("db_sessions"):
        sess = [t["db_sessions"] for t in ts if "db_sessions" in t]
        n = min(len(x) for x in sess)
        p(f"- {kind}: database sessions during the backup, in order (median s): "
          + ", ".join(f"{med([x[i] for x in sess]):.1f}" for i in range(n))
          + ("" if kind == "incremental" and n == 1 else " (fingerprint, pg_dump, fingerprint)"))
    if ts and ts[0].get("db_verify_sessions"):
        sess = [t["db_verify_sessions"] for t in ts]
        n = min(len(x) for x in sess)
        p(f"- {kind}: database sessions during the verification (median s): "
          + ", ".join(f"{med([x[i] for x in sess]):.1f}" for i in range(n)) + " (create scratch, pg_restore, fingerprint, drop)")
p()
p("**restic** (medians over its runs, seconds):")
p()
p("| part | full | incremental |")
p("|---|---|---|")
for key, label in (("files", "`restic backup DATA`"), ("db", "`pg_dump -Fc shop \\| restic backup --stdin`"), ("check", "`restic check --read-data`")):
    cells = []
    for kind in KINDS:
        vals = [r["parts"][key] for r in ok if r["tool"] == "R" and r["kind"] == kind and key in r["parts"]]
        cells.append(f"{med(vals):.1f}" if vals else "–")
    p(f"| {label} | {cells[0]} | {cells[1]} |")
for kind in KINDS:
    sums = [r["summary"] for r in ok if r["tool"] == "R" and r["kind"] == kind and r["summary"]]
    if sums:
        s = sums[0]
        p(f"\n{kind}: restic's summary of the files backup (round {[r for r in ok if r['tool'] == 'R' and r['kind'] == kind][0]['round']}): "
          f"{s.get('files_new', 0)} new, {s.get('files_changed', 0)} changed, {s.get('files_unmodified', 0)} unmodified files; "
          f"{s.get('data_added', 0) / MB:.1f} MB added to the repository.")
p()
ref = os.path.join(work, "reference.tsv")
if os.path.exists(ref):
    p("## Floors: the pieces of the work alone (same data, same disk, once each, after the rounds)")
    p()
    p("| what | seconds | exit |")
    p("|---|---|---|")
    for line in open(ref):
        name, secs, rc = line.rstrip("\n").split("\t")
        p(f"| {name.replace('|', chr(92) + '|')} | {secs} | {rc} |")
    p()
p("## Command")
p()
p(f"`bench/backup/run.sh {rounds}` from the repository root, as root (date above). `BENCH_KEEP=DIR` keeps every output, "
  "`/usr/bin/time` file and the server log.")
