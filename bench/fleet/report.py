"""Writes bench/results/fleet.md from a run.sh work directory (rows.tsv, *.probe.json, journal.db).

usage: report.py WORK ROUNDS HOSTS LOAD DOWNSHIFT_VERSION ANSIBLE_VERSION SSH_VERSION > fleet.md
"""
import datetime
import json
import os
import sqlite3
import statistics
import sys

work, rounds, hosts, load = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
v_downshift, v_ansible, v_ssh = sys.argv[5:8]
NAMES = {"D": "Downshift", "A": "Ansible", "R": "raw ssh"}
med = statistics.median


def ts(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


runs = []
with open(os.path.join(work, "rows.tsv")) as rows:
    for line in rows:
        rnd, pos, method, start, end, rc, ok, ld, tests, runid, ctl_cpu, host_cpu = line.rstrip("\n").split("\t")
        probes = [json.loads(l) for l in open(os.path.join(work, f"r{rnd}-{method}.probe.json")) if l.strip()]
        down = [p["downtimeMs"] / 1000 for p in probes]
        clean = sum(1 for p in probes if p["versions"] == ["2.3.0", "2.1.0"])
        output = os.path.join(work, f"r{rnd}-{method}.out")
        rebuilt = os.path.exists(output) and "building the CLI" in open(output, errors="replace").read()
        runs.append(dict(rebuilt=rebuilt,round=int(rnd), pos=int(pos), method=method, wall=float(end) - float(start),
                         rc=int(rc), ok=int(ok), load=ld, tests=tests, runid=runid,
                         ctl_cpu=float(ctl_cpu), host_cpu=float(host_cpu),
                         down_med=med(down), down_max=max(down), clean=clean,
                         good=int(rc) == 0 and int(ok) == hosts and not rebuilt))


def by(method, round_=None):
    return [r for r in runs if r["method"] == method and (round_ is None or r["round"] == round_)]


def good(method):
    """The successful measurements of a method."""
    return [r for r in by(method) if r["good"]]


def verdict(ok):
    return "**met**" if ok else "**missed**"


out = []
p = out.append
p("# Fleet downgrade: Downshift vs Ansible vs raw ssh (issue 3)\n")
command = f"HOSTS={hosts} bench/fleet/run.sh {rounds}" if hosts != 20 else f"bench/fleet/run.sh {rounds}"
p(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC} by `{command}` "
  f"on {os.uname().nodename}: {os.cpu_count()} cores, "
  f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB, load at the start {load}.")
p(f"Versions: `{v_downshift}` (downshift), {v_ansible}, {v_ssh}.\n")
p(f"**Work:** {hosts} lab hosts (`downshift lab`, network namespaces on this machine, so the controller, "
  "the hosts and the prober share the same 2 cores), 10 at a time: stop shopd (supervisord), apt-downgrade the "
  "package 2.3.0 → 2.1.0 from the lab's repository, start it, wait until `/health` reports 2.1.0. "
  "Before every measurement `examples/shop/fleet/setup.sh --pristine` puts all hosts back on 2.3.0 (pristine conffile, running); after it, "
  "the controller checks that all hosts answer 2.1.0.\n")
p("- **Downshift** — `downshift run bench/fleet/plan.yaml` (`batch: 100%`, `concurrency: 10`): product defaults, "
  "so the package step first *stages* every host (downloads 2.1.0 and the installed 2.3.0 .deb onto the host, "
  "simulates the install) before any host stops; every step is journaled (SQLite, synchronous=FULL) and checked; "
  "the package is also held (`apt-mark hold`).")
p("- **Ansible** — `ansible-playbook bench/fleet/downgrade.yml` with `bench/fleet/ansible.cfg`: forks 10, "
  "pipelining, ControlMaster/ControlPersist (a fresh control-path directory per run), facts off, strict host keys; "
  "`command: supervisorctl stop|start`, the `apt` module with `allow_downgrade`, `uri` with retries every 0.1 s.")
p("- **raw ssh** — `bench/fleet/raw-downgrade.sh`: `xargs -P 10 ssh`, one connection per host running the four "
  "commands (the floor: no staging, no journal, no rollback).")
p("- **Downtime** — `bench/fleet/prober` polls every host's `/health` every 20 ms from the controller, from before "
  "the command until after it; a host's downtime is the sum of its outages (first failed probe → next good one).\n")

p("## Every measurement\n")
p("| round | order | tool | wall (s) | exit | hosts on 2.1.0 | probes 2.3.0→2.1.0 | downtime median (s) | downtime max (s) | load before |")
p("|---|---|---|---|---|---|---|---|---|---|")
for r in sorted(runs, key=lambda r: (r["round"], r["pos"])):
    flag = " (**not counted**: includes a rebuild of the CLI)" if r["rebuilt"] else "" if r["good"] else " **FAILED**"
    tests = " (a test run started meanwhile)" if r["tests"] == "yes" else ""
    p(f"| {r['round']} | {r['pos']} | {NAMES[r['method']]}{flag} | {r['wall']:.1f} | {r['rc']} | {r['ok']}/{hosts} | "
      f"{r['clean']}/{hosts} | {r['down_med']:.2f} | {r['down_max']:.2f} | {r['load']}{tests} |")

p("\n## Per tool (successful measurements)\n")
p("| tool | n | wall median (s) | min | max | downtime median of medians (s) | min | max |")
p("|---|---|---|---|---|---|---|---|")
for m in "DAR":
    g = good(m)
    if not g:
        p(f"| {NAMES[m]} | 0 | — | — | — | — | — | — |")
        continue
    w = [r["wall"] for r in g]
    d = [r["down_med"] for r in g]
    p(f"| {NAMES[m]} | {len(g)} | {med(w):.1f} | {min(w):.1f} | {max(w):.1f} | {med(d):.2f} | {min(d):.2f} | {max(d):.2f} |")

p("\n## CPU per tool (successful measurements; medians)\n")
p("CPU seconds (user + system), which the machine's other load does not inflate the way it does wall time: the controller's")
p("(the command and every process it started: the CLI, ssh clients, Ansible's forks) from `/usr/bin/time`, and the hosts' (every")
p("process in the lab hosts' PID namespaces, reaped ones included: sshd sessions, apt/dpkg, supervisor, shopd) from")
p("`bench/fleet/hostcpu.py` before and after. shopd answering the prober counts on the hosts for every tool alike.\n")
p("| tool | n | controller CPU (s) | hosts CPU (s) | total CPU (s) | total per host (s) |")
p("|---|---|---|---|---|---|")
for m in "DAR":
    g = good(m)
    if not g:
        p(f"| {NAMES[m]} | 0 | — | — | — | — |")
        continue
    c = med([r["ctl_cpu"] for r in g])
    h = med([r["host_cpu"] for r in g])
    p(f"| {NAMES[m]} | {len(g)} | {c:.2f} | {h:.2f} | {c + h:.2f} | {(c + h) / hosts:.3f} |")


def ratios(f):
    values = []
    for rnd in range(1, rounds + 1):
        d, a, r = (by(m, rnd) for m in "DAR")
        if d and a and r and all(x[0]["good"] for x in (d, a, r)):
            values.append(f(d[0], a[0], r[0]))
    return values


p("\n## Ratios (each round's three measurements compared with each other; median over rounds)\n")
p("| ratio | per round | median | goal | |")
p("|---|---|---|---|---|")
for label, f, goal, ok in [
    ("Downshift time / raw ssh time", lambda d, a, r: d["wall"] / r["wall"], "≤ 1.0×", lambda x: x <= 1.0),
    ("Ansible time / Downshift time", lambda d, a, r: a["wall"] / d["wall"], "≥ 5×", lambda x: x >= 5.0),
    ("Downshift downtime / raw ssh downtime (medians over hosts)", lambda d, a, r: d["down_med"] / r["down_med"], "≤ 1.1×",
     lambda x: x <= 1.1),
    ("Downshift total CPU / raw ssh total CPU", lambda d, a, r: (d["ctl_cpu"] + d["host_cpu"]) / (r["ctl_cpu"] + r["host_cpu"]), "—",
     lambda x: True),
    ("Ansible total CPU / Downshift total CPU", lambda d, a, r: (a["ctl_cpu"] + a["host_cpu"]) / (d["ctl_cpu"] + d["host_cpu"]), "—",
     lambda x: True),
]:
    v = ratios(f)
    if v and goal == "—":
        p(f"| {label} | {', '.join(f'{x:.2f}' for x in v)} | {med(v):.2f}× | — (explains the others) | |")
    elif v:
        bound = float(goal.split()[1].rstrip("×"))
        by_how_much = "" if ok(med(v)) else (
            f" by {med(v) / bound:.1f}×" if goal.startswith("≤") else f" by {bound / med(v):.1f}×")
        p(f"| {label} | {', '.join(f'{x:.2f}' for x in v)} | {med(v):.2f}× | {goal} | {verdict(ok(med(v)))}{by_how_much} |")
    else:
        p(f"| {label} | — | — | {goal} | no complete round |")

# Where Downshift's time goes, from its journal.
db = os.path.join(work, "journal.db")
d_runs = [r for r in by("D") if r["runid"] not in ("-", "?")]
if os.path.exists(db) and d_runs:
    con = sqlite3.connect(db)
    parts = {k: [] for k in ["cli", "lease", "stage", "hosts", "finish", "release", "exit"]}
    steps = {}
    downtime_path = []
    for r in d_runs:
        rec = con.execute("select time, event, host, step_id, command, duration_ms from records where run_id = ? "
                          "order by sequence", (r["runid"],)).fetchall()
        if not rec:
            continue
        t = [(ts(x[0]),) + tuple(x[1:]) for x in rec]
        started = next(x[0] for x in t if x[1] == "RunStarted")
        leases = [x[0] for x in t if x[1] == "LeaseAcquired"]
        first_step = min(x[0] for x in t if x[1] == "StepStarted")
        last_ok = max(x[0] for x in t if x[1] == "StepSucceeded")
        finished = next(x[0] for x in t if x[1] == "RunFinished")
        released = max([x[0] for x in t if x[1] == "LeaseReleased"] or [finished])
        wall_start = next(float(line.split("\t")[3]) for line in open(os.path.join(work, "rows.tsv"))
                          if line.split("\t")[9].strip() == r["runid"])
        if not r["rebuilt"]:
            parts["cli"].append(started - wall_start)
        parts["lease"].append(max(leases) - started)
        parts["stage"].append(first_step - max(leases))
        parts["hosts"].append(last_ok - first_step)
        parts["finish"].append(finished - last_ok)
        parts["release"].append(released - finished)
        parts["exit"].append(wall_start + r["wall"] - released)
        per = {}
        for x in t:
            key = (x[2], x[3])
            s = per.setdefault(key, {})
            if x[1] == "StepStarted":
                s["start"] = x[0]
            elif x[1] == "StepPrepared":
                s["prepared"] = x[0]
            elif x[1] == "Command":
                s.setdefault("commands", []).append((x[4], x[5] / 1000, x[0]))
            elif x[1] == "StepSucceeded":
                s["end"] = x[0]
        for (host, step), s in per.items():
            if host is None or step is None:
                continue
            for cmd, dur, at in s.get("commands", []):  # staging: its commands come before the step starts
                if at < s.get("start", float("inf")):
                    steps.setdefault(("stage", step), {}).setdefault("command", []).append(dur)
            if "start" not in s:
                continue
            e = steps.setdefault(("step", step), {})
            e.setdefault("total", []).append(s["end"] - s["start"])
            e.setdefault("prepare", []).append(s.get("prepared", s["start"]) - s["start"])
            cmds = [c for c in s.get("commands", []) if c[2] >= s["start"]]
            e.setdefault("command", []).append(sum(c[1] for c in cmds))
            e.setdefault("after", []).append(s["end"] - max([c[2] for c in cmds] or [s.get("prepared", s["start"])]))
        for host in {h for (h, _) in per if h}:
            stop, health = per.get((host, "stop-shopd"), {}), per.get((host, "health-is-2-1"), {})
            stop_cmd = [c for c in stop.get("commands", [])]
            if stop_cmd and "end" in health:
                downtime_path.append(health["end"] - stop_cmd[0][2])
    p("\n## Where Downshift's time goes (its journal, medians over its runs)\n")
    p(f"Runs: {', '.join(r['runid'] for r in d_runs)} (`downshift log RUN` on the run's journal shows every record).\n")
    p("| part of the wall time | median (s) |")
    p("|---|---|")
    for k, label in [("cli", "CLI start → RunStarted (process start, plan, inventory; the run is journaled before any host is touched)"),
                     ("lease", "RunStarted → last LeaseAcquired (ssh connect + lease of every host, in parallel)"),
                     ("stage", "staging all hosts (before any host stops)"),
                     ("hosts", "first step started → last step succeeded (stop, package, start, check)"),
                     ("finish", "last step → RunFinished"), ("release", "RunFinished → last lease released (all hosts at once)"),
                     ("exit", "last lease released → process exit")]:
        if parts[k]:
            p(f"| {label} | {med(parts[k]):.2f} |")
    p("\nPer step, per host (median over hosts and runs, seconds): *prepare* = StepStarted → StepPrepared "
      "(the step's state capture over ssh), *command* = the change's own commands, *after* = last command → "
      "StepSucceeded (the step's own check and the journal).\n")
    p("| step | total | prepare | command | after |")
    p("|---|---|---|---|---|")
    for (kind, step), e in steps.items():
        if kind == "stage":
            p(f"| staging {step} | {med(e['command']):.2f} | | {med(e['command']):.2f} | |")
    for (kind, step), e in steps.items():
        if kind == "step":
            p(f"| {step} | {med(e['total']):.2f} | {med(e['prepare']):.2f} | {med(e['command']):.2f} | {med(e['after']):.2f} |")
    if downtime_path:
        p(f"\nFrom the journal, `supervisorctl stop` returning → the health check passing: median "
          f"{med(downtime_path):.2f} s per host.")
print("\n".join(out))
