#!/usr/bin/env bash
# A sweep on a real scheduler: start a single-node SLURM (Debian packages), submit a small sweep
# as a job array (one task per shard, `--shard auto/N`), wait for it, merge the shards, and check
# that the merged files are byte for byte those of the same sweep run on one machine.
#
#   .ci/slurm-sweep.sh BINARY        (run as root; installs slurmctld, slurmd, munge with apt)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:?usage: $0 path/to/medgroup}")
SHARDS=3
WAIT_SECONDS=${SLURM_WAIT_SECONDS:-600}
WORK=$(mktemp -d)
export SLURM_CI_DIR="$WORK/slurm"

fail() { echo "slurm sweep: FAILED: $*" >&2; exit 1; }
cleanup() {
  bash .ci/slurm-single-node.sh stop || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "needs root (to install and start SLURM)"
echo "-- installing SLURM and munge"
bash .ci/slurm-single-node.sh install || fail "apt-get could not install slurmctld slurmd slurm-client munge"
echo "-- starting a single-node cluster"
eval "$(bash .ci/slurm-single-node.sh start)" || fail "SLURM did not start (logs in $SLURM_CI_DIR/log)"
sinfo

SWEEP=(sweep "$PWD/scenarios/small.toml" --days 60 --warmup-days 20 --replications 2
       --set 'facilities[lead].wards[medical].beds=15,25,35' --set 'payment.reimbursement_resident.primary=0.85,0.95')

echo "-- the sweep on this machine"
"$BIN" "${SWEEP[@]}" --out "$WORK/one" --quiet

echo "-- the sweep as a job array of $SHARDS tasks"
cat > "$WORK/sweep.sbatch" <<JOB
#!/usr/bin/env bash
#SBATCH --job-name=medgroup-sweep
#SBATCH --array=1-$SHARDS
#SBATCH --cpus-per-task=1
#SBATCH --output=$WORK/task-%a.log
set -euo pipefail
exec "$BIN" $(printf '%q ' "${SWEEP[@]}") --out "$WORK/cluster" --shard auto/$SHARDS --threads 1 --quiet
JOB
# --wait returns when every task has ended, with a non-zero status if one failed.
if ! timeout "$WAIT_SECONDS" sbatch --wait "$WORK/sweep.sbatch"; then
  squeue || true
  for f in "$WORK"/task-*.log "$SLURM_CI_DIR"/log/*.log; do echo "== $f"; tail -20 "$f" || true; done
  fail "the job array did not finish successfully within $WAIT_SECONDS s"
fi
n=$(ls "$WORK/cluster/shards"/*.jsonl | wc -l)
[ "$n" = "$SHARDS" ] || fail "expected $SHARDS shard files, found $n in $WORK/cluster/shards"

echo "-- merging $SHARDS shards"
"$BIN" merge "$WORK/cluster" --quiet || fail "merge refused the shards"
for f in sweep.csv sweep_summary.csv manifest.json; do
  cmp "$WORK/one/$f" "$WORK/cluster/$f" || fail "$f from the cluster differs from the one-machine run"
done
echo "slurm sweep: the merged job array equals the one-machine sweep byte for byte ($(wc -l < "$WORK/one/sweep.csv") rows)"
