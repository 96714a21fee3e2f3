#!/usr/bin/env bash
# A real Slurm run of the lab's example sweep (issue #11), on a one-node cluster started here:
#   1. installs slurm-wlm and munge (and the sqlite3 shell) from Debian when missing;
#   2. starts munged, slurmctld and slurmd with every config, socket, state, log and pid file in a
#      temporary folder (ProctrackType=proctrack/linuxproc, TaskPlugin=task/none,
#      SelectType=select/cons_tres, no accounting: what works in a container without systemd);
#   3. submits the study as a stepped job array of 4 tasks (0-6:2), each writing a shard, and a
#      merge job that runs after them (--dependency=afterok);
#   4. checks that the merged results equal a one-machine sweep's, row for row;
#   5. stops the daemons it started and removes their pid files, whatever happened (trap).
# Usage: scripts/slurm_test.sh [path/to/yieldledger]   (default build/cli/yieldledger)
set -euo pipefail
cd "$(dirname "$0")/.."
YL=$(realpath "${1:-build/cli/yieldledger}")
STUDY=$(realpath examples/lab/study.toml)

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null ||
   ! command -v sqlite3 >/dev/null; then
  echo "== installing slurm-wlm, munge and sqlite3 (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm munge sqlite3 >/dev/null
fi

WORK=$(mktemp -d /tmp/yl_slurm.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  local rc=$?
  if [ -n "${JOBS:-}" ]; then scancel $JOBS 2>/dev/null || true; fi
  for pidfile in "$WORK/slurmd.pid" "$WORK/slurmctld.pid" "$WORK/munged.pid"; do
    if [ -s "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  if [ $rc -ne 0 ]; then
    echo "== slurm_test failed ($rc); daemon logs:"
    tail -n 20 "$WORK"/*.log 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT INT TERM

# Ports from the pid, so two copies of this script never collide.
BASE=$((20000 + ($$ % 20000)))
NODE=ylnode
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/munge" "$WORK/out"
chmod 700 "$WORK/munge"
echo "== munged"
cp /etc/munge/munge.key "$WORK/munge/munge.key" 2>/dev/null ||
  dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$WORK/munge/munge.key"
munged --force --socket="$WORK/munge/munge.socket" --key-file="$WORK/munge/munge.key" \
  --pid-file="$WORK/munged.pid" --log-file="$WORK/munged.log" --seed-file="$WORK/munge/seed"

cat > "$WORK/slurm.conf" <<CONF
ClusterName=ylcluster
SlurmctldHost=$(hostname)(127.0.0.1)
SlurmctldPort=$BASE
SlurmdPort=$((BASE + 1))
AuthType=auth/munge
AuthInfo=socket=$WORK/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
NodeName=$NODE NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=lab Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$WORK/slurm.conf"
echo "== slurmctld, slurmd -N $NODE"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF" -N "$NODE"
for _ in $(seq 100); do
  if sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then break; fi
  sleep 0.2
done
sinfo -N

# A stepped array (IDs 0, 2, 4, 6): each task's slice is (ID - MIN) / STEP of COUNT, as Slurm
# itself sets them (the tests set the variables by hand: helper-46's F9).
echo "== a job array of 4 sweep tasks (--array=0-6:2), then a merge job (afterok)"
OUT="$WORK/out"
ARRAY=$(sbatch --parsable --array=0-6:2 -o "$OUT/task-%a.log" -D "$OUT" \
  --wrap "$YL sweep $STUDY --out $OUT/shard-\$SLURM_ARRAY_TASK_ID.db")
MERGE=$(sbatch --parsable --dependency=afterok:"$ARRAY" -o "$OUT/merge.log" -D "$OUT" \
  --wrap "$YL merge --out $OUT/merged.db $OUT/shard-0.db $OUT/shard-2.db $OUT/shard-4.db $OUT/shard-6.db")
JOBS="$ARRAY $MERGE"
for _ in $(seq 1200); do
  if [ -z "$(squeue -h -j "$ARRAY,$MERGE" 2>/dev/null)" ]; then break; fi
  sleep 0.5
done
cat "$OUT"/task-*.log "$OUT/merge.log"
test -s "$OUT/merged.db" || { echo "no merged results"; exit 1; }

echo "== the same sweep on one machine, and the comparison"
"$YL" sweep "$STUDY" --out "$OUT/one.db" --jobs 2
dump() {
  sqlite3 "$1" "SELECT key, value FROM study ORDER BY key; SELECT * FROM points ORDER BY point;
    SELECT * FROM runs ORDER BY point, run; SELECT * FROM metric_info ORDER BY name;
    SELECT point, run, name, cohort, asset, value_int, quote(value_real) FROM metrics
      ORDER BY point, run, name, cohort, asset;
    SELECT * FROM series ORDER BY point, run, t, asset, name;"
}
if ! diff <(dump "$OUT/merged.db") <(dump "$OUT/one.db") >/dev/null; then
  echo "FAIL: the Slurm results differ from the one-machine sweep"
  exit 1
fi
echo "slurm_test: OK: 4 array tasks + merge = one-machine sweep ($(sqlite3 "$OUT/one.db" \
  'SELECT count(*) FROM runs') runs, $(sqlite3 "$OUT/one.db" 'SELECT count(*) FROM metrics') metric rows)"
