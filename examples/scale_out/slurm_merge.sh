#!/usr/bin/env bash
# Combines the shards of slurm_sweep.sh (run it after the array finishes,
# e.g. with --dependency=afterok:<JOBID>).
#SBATCH --job-name=llmsim-merge
#SBATCH --cpus-per-task=1
#SBATCH --time=00:10:00
set -euo pipefail
LLMSIM=${LLMSIM:-"deno task sim"}
OUT=${OUT:-results/sweep}
$LLMSIM merge --out-dir "$OUT" "$OUT"/sweep.shard-*-of-*.json
