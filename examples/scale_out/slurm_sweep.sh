#!/usr/bin/env bash
# A large sweep as a Slurm job array: each array task runs one shard of the
# grid on its node's cores, then one merge job combines the shards into the
# files a single run writes (byte for byte).
#
#   sbatch examples/scale_out/slurm_sweep.sh            # the shards
#   sbatch --dependency=afterok:<JOBID> examples/scale_out/slurm_merge.sh
#
# Run from a clone of llmsim on a shared file system. LLMSIM (default
# "deno task sim") is the command; OUT the shared output directory.
#SBATCH --job-name=llmsim-sweep
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --time=02:00:00
set -euo pipefail
LLMSIM=${LLMSIM:-"deno task sim"}
OUT=${OUT:-results/sweep}
SHARDS=${SLURM_ARRAY_TASK_COUNT:-8}
$LLMSIM sweep --config examples/llama3_8b_h100_mono.yaml \
  --set arrival.rate_per_s=40,60,80,100,120 \
  --set scheduler.max_num_batched_tokens=512,2048,8192 \
  --replications "${REPLICATIONS:-5}" \
  ${EXTRA:-} \
  --jobs "${SLURM_CPUS_PER_TASK:-1}" \
  --shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}" \
  --out-dir "$OUT"
