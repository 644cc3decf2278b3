#!/bin/sh
# Photo patches, third session: IPC at rank 8 and 32 against Trans-INR, on a validation split twice the size
# of the first sessions' (20 training photos held out instead of 10; both ranks and Trans-INR hold out the same
# 20). The emoji rank ablation (validation) had rank 8 ahead of 32 at a quarter of the weight tokens, so
# rank 8 is IPC's candidate for equal wall-clock. The three runs train side by side (2000 steps, one thread
# each, so their training minutes compare). Rule fixed before the runs: the IPC rank with the higher
# validation PSNR, and Trans-INR, are then evaluated on the Kodak test crops, once. Rows go to
# docs/results/ipc.csv like the other IPC experiments (python3 experiments/ipc-tables.py prints them).
set -e
cd "$(dirname "$0")/.."
. experiments/ipc-common.sh
steps="--set train.steps=2000 --set data.validation=20"

if [ "${SKIP_TRAINING:-}" = "" ]; then
  train ipc-photos-val20-rank8 configs/ipc-photos.yaml $steps --set ipc.rank=8 & a=$!
  train ipc-photos-val20-rank32 configs/ipc-photos.yaml $steps & b=$!
  train transinr-photos-val20 configs/transinr-photos.yaml $steps
  wait $a
  wait $b
fi

export HYPERINR_THREADS=2
for r in ipc-photos-val20-rank8 ipc-photos-val20-rank32 transinr-photos-val20; do
  record photos-validation20 "photo rank probe" "$r" "$r" -- --model "runs/ipc/$r/checkpoint.safetensors" --split validation
done
psnr() { grep "^photos-validation20,photo rank probe,$1," "$CSV" | cut -d, -f4; }
r8=$(psnr ipc-photos-val20-rank8); r32=$(psnr ipc-photos-val20-rank32)
if [ -z "$r8" ] || [ -z "$r32" ]; then echo "missing validation rows in $CSV" >&2; exit 1; fi
best=ipc-photos-val20-rank8
if python3 -c "import sys; sys.exit(0 if $r32 > $r8 else 1)"; then best=ipc-photos-val20-rank32; fi
echo "IPC chosen on validation: $best"
record photos-third IPC "one forward pass ($best)" "$best" -- --model "runs/ipc/$best/checkpoint.safetensors"
record photos-third Trans-INR "one forward pass (transinr-photos-val20)" transinr-photos-val20 -- --model runs/ipc/transinr-photos-val20/checkpoint.safetensors
for r in ipc-photos-val20-rank8 ipc-photos-val20-rank32 transinr-photos-val20; do
  cp "runs/ipc/$r/curves.svg" "docs/results/ipc/$r-curves.svg"
  if [ -f "runs/ipc/$r/samples.png" ]; then cp "runs/ipc/$r/samples.png" "docs/results/ipc/$r-samples.png"; fi
done
echo "wrote $CSV"
