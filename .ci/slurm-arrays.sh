#!/usr/bin/env bash
# Experiments on a real scheduler: start a single-node SLURM (Debian packages), then
# 1. submit a small sweep as a job array (one task per shard, `--shard auto/N`), wait for it, merge
#    the shards, and check that the merged files are byte for byte those of the same sweep run on
#    one machine;
# 2. run a small calibration generation by generation, each generation a job array of shard tasks
#    followed by an `--advance-only` job, then the finishing job, and check that its result files
#    are byte for byte those of the same calibration run on one machine.
#
#   .ci/slurm-arrays.sh BINARY       (run as root; installs slurmctld, slurmd, munge with apt)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:?usage: $0 path/to/medgroup}")
SHARDS=3
WAIT_SECONDS=${SLURM_WAIT_SECONDS:-600}
WORK=$(mktemp -d)
export SLURM_CI_DIR="$WORK/slurm"

fail() { echo "slurm arrays: FAILED: $*" >&2; exit 1; }
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

echo "-- a calibration on this machine"
cat > "$WORK/town.toml" <<TOML
extends = "$PWD/scenarios/small.toml"
name = "town"

[run]
days = 60
warmup_days = 20
replications = 1

[population]
residents = 10000
TOML
cat > "$WORK/town.targets.toml" <<'TOML'
[[target]]
name = "referrals"
output = "referrals_up_per_year"
observed = 400.0
tolerance = 80.0
weight = 1.0
source = "a made-up figure for this check"
definition = "up-referrals a year"

[[parameter]]
key = "referral.up_referral_propensity"
prior = "uniform"
lo = 0.1
hi = 0.9

[abc]
particles = 8
simulations_per_generation = 18
generations = 2
predictive_simulations = 4
TOML
CAL=(calibrate "$WORK/town.toml" --targets "$WORK/town.targets.toml" --threads 1 --quiet)
"$BIN" "${CAL[@]}" --out "$WORK/cal-one"

echo "-- the calibration as job arrays of $SHARDS tasks, one per generation, each followed by an advance job"
cal_cmd="$BIN $(printf '%q ' "${CAL[@]}") --out $WORK/cal-cluster"
for generation in 1 2; do
  cat > "$WORK/cal-shard.sbatch" <<JOB
#!/usr/bin/env bash
#SBATCH --job-name=medgroup-calibrate-$generation
#SBATCH --array=1-$SHARDS
#SBATCH --cpus-per-task=1
#SBATCH --output=$WORK/cal-$generation-task-%a.log
set -euo pipefail
exec $cal_cmd --shard auto/$SHARDS
JOB
  timeout "$WAIT_SECONDS" sbatch --wait "$WORK/cal-shard.sbatch" \
    || { tail -20 "$WORK"/cal-$generation-task-*.log || true; fail "generation $generation's job array did not finish"; }
  timeout "$WAIT_SECONDS" sbatch --wait --job-name=medgroup-advance-$generation --output="$WORK/cal-$generation-advance.log" \
    --wrap "$cal_cmd --advance-only" \
    || { tail -20 "$WORK/cal-$generation-advance.log" || true; fail "generation $generation's advance job failed"; }
done
timeout "$WAIT_SECONDS" sbatch --wait --job-name=medgroup-finish --output="$WORK/cal-finish.log" --wrap "$cal_cmd" \
  || { tail -20 "$WORK/cal-finish.log" || true; fail "the finishing job failed"; }
ls "$WORK/cal-cluster/calibration"/gen-*-shard-*.jsonl >/dev/null 2>&1 || fail "no shard files: the tasks did not shard"
for f in posterior_sample.csv posterior.csv fit.csv calibrated.toml; do
  cmp "$WORK/cal-one/$f" "$WORK/cal-cluster/$f" || fail "$f from the cluster differs from the one-machine calibration"
done
echo "slurm calibration: generations as job arrays give the one-machine calibration byte for byte"
