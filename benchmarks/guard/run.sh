#!/usr/bin/env bash
# Guard chain of secreview's benchmarks against one snapshot of its source.
#
#   bash benchmarks/guard/run.sh SNAPSHOT OUTDIR [STEP ...]
#
# SNAPSHOT  a folder holding src/ and benchmarks/ of the secreview to measure, made with
#             mkdir -p SNAP && git -C /work/main archive REV src benchmarks | tar x -C SNAP
#             git -C /work/main rev-parse REV > SNAP/REV          # optional: names the run
#             python -m compileall -q SNAP/src                     # optional: saves a little time
# OUTDIR    where everything goes (created). Re-running a step overwrites that step's outputs.
# STEP      any of: panels (= every panel-X of $PANELS), panel-p ... panel-ad, owasp, codeql, rc, osf,
#           services (default: all, in that order). E.g. PANELS="ac ad ae" bash run.sh SNAP OUT panels
#
# Every step uses SNAPSHOT's benchmarks/ scripts and SNAPSHOT/src (PYTHONPATH), never /work/main/src;
# the chain stops at the first step only if SNAPSHOT's secreview is not the one Python imports.
# One failing step does not stop the others. Steps run one after another (secreview's own
# workers: --jobs $JOBS, default 2; the whole chain is reniced to $NICE, default 10).
#
# Outputs (OUTDIR):
#   steps.tsv                 step, start, end (ISO), seconds, exit code
#   logs/STEP.log             each step's command, output, start and end times
#   meta.txt                  snapshot, REV, source fingerprint, python, host load at start
#   panel-X/                  precision_audit.py review reports (NAME-VERSION.json, runs.json),
#                             counts.md (precision_audit.py counts), check.json (mechanical check)
#   owasp.json, owasp.md      owasp_benchmark.py --no-bandit
#   codeql.json, codeql.md, codeql-reports/   realworld.py score --codeql (Semmle/ql a760ed8c) --no-bandit
#   rc.json, rc.md, rc-reports/               realworld.py score --reality-check --no-bandit
#   osf.json, osf.md, osf-cache/reports/      openstack_fixes.py --no-bandit, --scope package, fresh cache
#   services/NAME-VERSION.json               default review of each OpenStack service sdist
#   summary.md, summary.json  headline figures (guard/summarize.py)
# Compare two runs with:  python benchmarks/guard/compare.py OUTDIR_A OUTDIR_B
#
# Inputs (override with the environment): BENCH_SRC=/work/bench/src (panel and service sdists),
# OWASP=/work/bench/owasp, QL=/work/bench/realworld/ql, RC=/work/bench/realworld/rc (trees in RC/trees),
# MIRRORS=/work/.mirror, PANELS="p q r ... ad", SERVICES="horizon-27.0.0 ...", CODEQL_EXTRA (unset:
# none, as in the sessions since the fifth).

# (the body is one brace group, read whole before it runs: editing this file cannot disturb a run)
{
set -u
if [ $# -lt 2 ]; then
    sed -n "2,14p" "$0" >&2
    exit 2
fi
SNAP=$(realpath "$1")
OUT=$(realpath -m "$2")
shift 2
STEPS=("$@")
[ ${#STEPS[@]} -eq 0 ] && STEPS=(panels owasp codeql rc osf services)

PY=${PY:-$(command -v python3)}
BENCH_SRC=${BENCH_SRC:-/work/bench/src}
OWASP=${OWASP:-/work/bench/owasp}
QL=${QL:-/work/bench/realworld/ql}
RC=${RC:-/work/bench/realworld/rc}
MIRRORS=${MIRRORS:-/work/.mirror}
PANELS=${PANELS:-"p q r s t u v w x y z aa ab ac ad"}
SERVICES=${SERVICES:-"horizon-27.0.0 keystone-30.0.0 glance-33.0.0 manila-23.0.1 swift-2.38.3 octavia-19.0.0 ironic-39.0.0 designate-23.0.0"}
JOBS=${JOBS:-2}
NICE=${NICE:-10}
GUARD=$(dirname "$(realpath "$0")")

if [ ! -d "$SNAP/src/secreview" ] || [ ! -d "$SNAP/benchmarks" ]; then
    echo "run.sh: $SNAP has no src/secreview or no benchmarks/" >&2
    exit 2
fi
mkdir -p "$OUT/logs" "$OUT/bin"
renice -n "$NICE" -p $$ > /dev/null 2>&1 || true   # every step inherits it

# The secreview measured: SNAPSHOT/src first on the path, for the scripts (precision_audit.py imports
# secreview) and for every tool run; `secreview` on PATH (owasp_benchmark.py calls it) is the same.
export PYTHONPATH="$SNAP/src"
export SECREVIEW_CACHE_DIR="$OUT/.secreview-cache"   # a cache of this run's own, removed at the end
cat > "$OUT/bin/secreview" <<EOF
#!/bin/sh
PYTHONPATH="$SNAP/src" exec "$PY" -m secreview "\$@"
EOF
chmod +x "$OUT/bin/secreview"
export PATH="$OUT/bin:$PATH"

imported=$("$PY" -c 'import secreview, os; print(os.path.realpath(secreview.__file__))' 2>&1)
via_path=$(cd /tmp && secreview --version 2>&1; cd /tmp && "$PY" -c 'import secreview, os; print(os.path.realpath(secreview.__file__))')
case "$imported" in
    "$SNAP/src/"*) ;;
    *) echo "run.sh: python imports secreview from $imported, not from $SNAP/src; stopping" >&2; exit 3 ;;
esac

{
    echo "snapshot: $SNAP"
    echo "rev: $(cat "$SNAP/REV" 2>/dev/null || echo unknown)"
    echo "src fingerprint: $(cd "$SNAP" && find src -type f \( -name '*.py' -o -name '*.toml' -o -name '*.json' -o -name '*.pyi' \) | LC_ALL=C sort | xargs sha1sum | sha1sum | cut -c1-16)"
    echo "benchmarks fingerprint: $(cd "$SNAP" && find benchmarks -type f | LC_ALL=C sort | xargs sha1sum | sha1sum | cut -c1-16)"
    echo "secreview imported from: $imported"
    echo "secreview command: $via_path"
    echo "python: $("$PY" --version 2>&1)"
    echo "started: $(date -Is)  host: $(hostname)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "jobs: $JOBS  nice: $NICE  steps: ${STEPS[*]}"
    echo "inputs: BENCH_SRC=$BENCH_SRC OWASP=$OWASP QL=$QL RC=$RC MIRRORS=$MIRRORS"
    echo "owasp commit: $(git -C "$OWASP" rev-parse HEAD 2>/dev/null)  ql commit: $(git -C "$QL" rev-parse HEAD 2>/dev/null)  rc commit: $(git -C "$RC" rev-parse HEAD 2>/dev/null)"
} > "$OUT/meta.txt"
[ -f "$OUT/steps.tsv" ] || printf 'step\tstart\tend\tseconds\trc\n' > "$OUT/steps.tsv"

# step NAME COMMAND...: runs COMMAND (from SNAPSHOT) with its output in logs/NAME.log; never stops the chain.
step() {
    local name=$1; shift
    local log="$OUT/logs/$name.log" t0 t1 s0 s1 rc
    t0=$(date -Is); s0=$(date +%s)
    echo "[$t0] $name: start" >&2
    {
        echo "# step $name"
        echo "# start $t0 (load $(cut -d' ' -f1-3 /proc/loadavg))"
        printf '# command:'; printf ' %q' "$@"; echo
    } > "$log"
    (cd "$SNAP" && "$@") >> "$log" 2>&1
    rc=$?
    t1=$(date -Is); s1=$(date +%s)
    [ -n "$(tail -c1 "$log")" ] && echo >> "$log"
    echo "# end $t1, $((s1 - s0)) s, exit code $rc (load $(cut -d' ' -f1-3 /proc/loadavg))" >> "$log"
    printf '%s\t%s\t%s\t%d\t%d\n' "$name" "$t0" "$t1" "$((s1 - s0))" "$rc" >> "$OUT/steps.tsv"
    echo "[$t1] $name: end, $((s1 - s0)) s, exit code $rc" >&2
    return 0
}

panel() {   # one precision panel: review at --min-confidence low, then counts and the mechanical check
    local x=$1 toml="$SNAP/benchmarks/panels/precision-$1.toml" dir="$OUT/panel-$1" rc=0
    rm -rf "$dir"
    "$PY" "$SNAP/benchmarks/precision_audit.py" review "$toml" "$BENCH_SRC" --reports "$dir" \
        --pythonpath "$SNAP/src" --args="--min-confidence low --no-cache --jobs $JOBS" || rc=$?
    "$PY" "$SNAP/benchmarks/precision_audit.py" counts "$toml" "$BENCH_SRC" --reports "$dir" > "$dir/counts.md" || rc=$?
    "$PY" "$SNAP/benchmarks/precision_audit.py" check "$toml" "$BENCH_SRC" --reports "$dir" --quiet \
        --json "$dir/check.json" --pythonpath "$SNAP/src" || rc=$?
    return $rc
}

services() {   # the current OpenStack services, default review from each project's root
    local d name rc=0
    rm -rf "$OUT/services"; mkdir -p "$OUT/services"
    for name in $SERVICES; do
        d="$BENCH_SRC/$name"
        if [ ! -d "$d" ]; then echo "$name: missing $d"; rc=1; continue; fi
        local s0; s0=$(date +%s)
        (cd "$d" && "$PY" -m secreview review . --no-cache --format json --exit-zero --no-progress \
            --jobs "$JOBS" --output "$OUT/services/$name.json") || { echo "$name: exit code $?"; rc=1; }
        "$PY" - "$OUT/services/$name.json" "$(( $(date +%s) - s0 ))" <<'EOF' || rc=1
import collections, json, sys
d = json.load(open(sys.argv[1]))
f = d["findings"]
c = collections.Counter(x.get("confidence") for x in f)
print(f"{sys.argv[1].rsplit('/', 1)[-1][:-5]:22} {sys.argv[2]:>5} s  findings={len(f)} "
      f"confidence={dict(c)} files={d['summary'].get('files_reviewed')} "
      f"not_reviewed={d['summary'].get('files_not_reviewed')}")
EOF
    done
    return $rc
}

want() {   # is step $1 asked for?
    local s
    for s in "${STEPS[@]}"; do
        [ "$s" = "$1" ] && return 0
        [ "$s" = panels ] && [[ "$1" == panel-* ]] && return 0
    done
    return 1
}

for x in $PANELS; do
    want "panel-$x" && step "panel-$x" panel "$x"
done

if want owasp; then
    step owasp "$PY" "$SNAP/benchmarks/owasp_benchmark.py" "$OWASP" --no-bandit \
        --json "$OUT/owasp.json" --markdown "$OUT/owasp.md" --list-errors all
fi

extra=()
[ -n "${CODEQL_EXTRA:-}" ] && extra=(--codeql-extra "$CODEQL_EXTRA")
if want codeql; then
    rm -rf "$OUT/codeql-reports"
    step codeql "$PY" "$SNAP/benchmarks/realworld.py" score --codeql "$QL" "${extra[@]}" --no-bandit \
        --reports "$OUT/codeql-reports" --json "$OUT/codeql.json" --markdown "$OUT/codeql.md" --list-misses \
        --secreview-args "--no-cache --jobs $JOBS"
fi

if want rc; then
    rm -rf "$OUT/rc-reports"
    step rc "$PY" "$SNAP/benchmarks/realworld.py" score --reality-check "$RC" --checkouts "$RC/trees" --no-bandit \
        --reports "$OUT/rc-reports" --json "$OUT/rc.json" --markdown "$OUT/rc.md" --list-misses \
        --secreview-args "--no-cache --jobs $JOBS"
fi

if want osf; then
    rm -rf "$OUT/osf-cache"
    step osf "$PY" "$SNAP/benchmarks/openstack_fixes.py" "$SNAP/benchmarks/openstack-fixes.toml" "$MIRRORS" \
        --no-bandit --cache "$OUT/osf-cache" --secreview-src "$SNAP" --secreview-args "--jobs $JOBS" \
        --quiet --json "$OUT/osf.json" --markdown "$OUT/osf.md"
    # the materialised trees are inputs, not results: keep the reports only
    rm -rf "$OUT/osf-cache/trees" "$OUT/osf-cache/secreview-cache"
fi

if want services; then
    step services services
fi

rm -rf "$SECREVIEW_CACHE_DIR"
echo "finished: $(date -Is)" >> "$OUT/meta.txt"
if [ -f "$GUARD/summarize.py" ]; then
    "$PY" "$GUARD/summarize.py" "$OUT" > "$OUT/logs/summarize.log" 2>&1 || echo "summarize failed: $OUT/logs/summarize.log" >&2
fi
echo "[$(date -Is)] done: $OUT" >&2
exit 0
}
