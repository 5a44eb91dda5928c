#!/usr/bin/env bash
# Runs every test: installs what the tests need (Debian packages), builds the solution in Release,
# runs the unit tests, then the integration tests, and ends with one line
#     N passed, N failed, N skipped
# summed over both projects. Exits non-zero if a test failed or a project did not run.
#
# Extra arguments go to both test apps (Microsoft.Testing.Platform + xunit.v3 options), e.g.
#     ./test.sh --filter-class 'Downshift.IntegrationTests.TestSupport.*'
# With a filter, a project where nothing matches counts as fine, not as "did not run".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")" || exit 1

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DEBIAN_FRONTEND=noninteractive

projects=(Downshift.Tests Downshift.IntegrationTests)
declare -A timeouts=([Downshift.Tests]=10m [Downshift.IntegrationTests]=60m) # CI stops at 90 min
packages=(supervisor sqlite3 python3 postgresql curl procps iproute2 tar gzip openssh-client openssh-server debootstrap dpkg-dev rpm createrepo-c util-linux prometheus prometheus-node-exporter)
results=.build/test-results

summary() { # passed failed skipped
    echo "$1 passed, $2 failed, $3 skipped"
}

# --- 1. Debian packages: skip apt entirely when all are installed (one dpkg-query, ~50 ms) ----
installed="$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null || true)"
missing=()
for package in "${packages[@]}"; do
    grep -qE "^$package ii" <<<"$installed" || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
    echo "test.sh: installing ${missing[*]}" >&2
    sudo=()
    [[ "$(id -u)" == 0 ]] || sudo=(sudo)
    if ! "${sudo[@]}" apt-get update -qq ||
        ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; then
        echo "test.sh: ERROR: apt-get could not install ${missing[*]}" >&2
        summary 0 1 0
        exit 1
    fi
fi

if ! command -v dotnet >/dev/null; then
    echo "test.sh: ERROR: dotnet is not on PATH (the .NET 10 SDK is needed)" >&2
    summary 0 1 0
    exit 1
fi

# --- 2. Build -------------------------------------------------------------------------------
mkdir -p .build
echo "test.sh: dotnet build -c Release" >&2
if ! dotnet build Downshift.sln -c Release -nologo -v quiet >.build/test-build.log 2>&1; then
    grep -E ': (error|warning) ' .build/test-build.log | sort -u >&2 || cat .build/test-build.log >&2
    echo "test.sh: ERROR: build failed (full log: .build/test-build.log)" >&2
    summary 0 1 0
    exit 1
fi

# --- 3. Run each test app; xunit.v3 writes its own xUnit XML report (--report-xunit) ------------
rm -rf "$results"
mkdir -p "$results"
ansi=()
[[ -t 1 ]] || ansi=(--no-ansi)
for project in "${projects[@]}"; do
    echo
    echo "=== $project ==="
    app="tests/$project/bin/Release/net10.0/$project"
    "$app" --results-directory "$results" --report-xunit --report-xunit-filename "$project.xml" \
        --timeout "${timeouts[$project]}" --no-progress "${ansi[@]}" "$@"
    echo "$?" >"$results/$project.exit"
done

# --- 4. Sum the reports; list failures; one summary line -----------------------------------
python3 - "$results" "$#" "${projects[@]}" <<'PY'
import os, sys, xml.etree.ElementTree as ET

results, extra_args, projects = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
EXIT_ZERO_TESTS = 8  # Microsoft.Testing.Platform: no test ran
passed = failed = skipped = 0
problems, failures = [], []

for project in projects:
    exit_code = int(open(os.path.join(results, project + ".exit")).read().strip() or 1)
    report = os.path.join(results, project + ".xml")
    if not os.path.exists(report):
        problems.append(f"{project} did not run (exit code {exit_code}, no report)")
        failed += 1
        continue
    counts = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    for assembly in ET.parse(report).getroot().iter("assembly"):
        for key in counts:
            counts[key] += int(assembly.get(key, "0"))
        for test in assembly.iter("test"):
            if test.get("result") == "Fail":
                message = (test.findtext("failure/message") or "").strip().replace('\\"', '"')
                failures.append((project, test.get("name"), message))
        for error in assembly.iter("error"):
            message = (error.findtext("failure/message") or "").strip()
            failures.append((project, f"[{error.get('type')}] {error.get('name') or ''}", message))
    passed += counts["passed"]
    skipped += counts["skipped"]
    failed += counts["failed"] + counts["errors"]
    ran = counts["passed"] + counts["failed"] + counts["skipped"]
    if exit_code == EXIT_ZERO_TESTS and ran == 0:
        if not extra_args:
            problems.append(f"{project} ran no test")
            failed += 1
    elif exit_code != 0 and counts["failed"] + counts["errors"] == 0:
        problems.append(f"{project} exited with code {exit_code} (see its output above)")
        failed += 1

if failures or problems:
    print("\n=== Failures ===")
    for project, name, message in failures:
        lines = message.splitlines()
        shown = "\n      ".join(lines[:12]) + ("\n      ..." if len(lines) > 12 else "")
        print(f"  FAIL {name}  [{project}]\n      {shown}")
    for problem in problems:
        print(f"  ERROR {problem}")
print()
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
