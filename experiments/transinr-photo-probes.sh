#!/bin/sh
# The 1000-step probes behind configs/transinr-photos.yaml: Trans-INR on random 64x64 photo crops with one
# settings changed step by step from the emoji-style start (8x8 patches, batch 8, all pixels, lr 3e-4, raw
# [0, 1] pixels) to the shipped ones, plus an over-fitting check on 8 fixed crops. Trains (or resumes, or reuses) each probe under runs/probes/ and writes
# docs/results/transinr-photo-probes.csv (test PSNR on the 24 Kodak centre crops after 250/500/750/1000 steps).
# Each probe takes 4-6 minutes on 2 cores; HYPERINR_BIN may point at a built binary.
set -e
cd "$(dirname "$0")/.."
. experiments/common.sh
DATA=../shared/data
mkdir -p runs/probes/photos8
CSV=docs/results/transinr-photo-probes.csv
echo "probe,step250,step500,step750,step1000,seconds" > "$CSV"

probe() {  # NAME DESCRIPTION [--set ...]
  name=$1; description=$2; shift 2
  run_training "runs/probes/$name" configs/transinr-photos.yaml --set train.steps=1000 --set train.evalEvery=250 "$@"
  psnr=$(awk -F, 'NR > 1 { printf ",%s", $2 }' "runs/probes/$name/eval.csv")
  seconds=$(tail -n 1 "runs/probes/$name/log.csv" | cut -d, -f6)
  echo "$description$psnr,$seconds" >> "$CSV"
}

START="--set transINR.patch=8 --set train.batch=8 --set train.pixels=0 --set train.learningRate=0.0003 --set transINR.centredPixels=false"
probe start "8x8 patches; batch 8; all pixels; lr 3e-4; raw pixels" $START
probe startc "the same with centred pixels (2x - 1)" $START --set transINR.centredPixels=true
probe pblr "32x32 patches; batch 32 and 1024 pixels; lr 1e-3; centred" $START --set transINR.patch=32 \
  --set train.batch=32 --set train.pixels=1024 --set train.learningRate=0.001 --set transINR.centredPixels=true
probe p64raw "64x64 patch (one data token); batch 32 and 1024 pixels; lr 1e-3; raw pixels" --set transINR.centredPixels=false
probe p64 "64x64 patch; batch 32 and 1024 pixels; lr 1e-3; centred (the shipped setting)"

# Over-fitting check: 8 fixed centre crops of training photos, trained and tested on the same crops.
for f in $(ls $DATA/photos/*.png | head -n 40 | awk 'NR % 5 == 0'); do ln -sf "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" runs/probes/photos8/; done
probe over8 "start setting; train = test = 8 fixed crops" $START --set data.train=../runs/probes/photos8 \
  --set data.test=../runs/probes/photos8 --set data.trainTransform=center-crop
echo "wrote $CSV"
