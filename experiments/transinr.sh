#!/bin/sh
# Trans-INR experiments at CPU scale: trains (or resumes) every run under runs/, evaluates them, and writes
# docs/results/transinr.csv, docs/results/transinr.md and the runs' curves and sample grids to
# docs/results/transinr/. Each training run is sized to finish well within an hour on 2 cores.
#   emoji:  Trans-INR (configs/transinr-emoji.yaml: G = 1, 5000 steps), Learned Init
#           (configs/learnedinit-emoji.yaml, 5000 steps), Standard (Adam from random init, K = 3, 10, 100
#           steps per image), test-time optimisation K = 0, 10, 100 of the Trans-INR model, and the
#           weight-group ablation G = 1, 4, 16, 64 at 2000 steps each.
#   photos: the same main comparison on random 64x64 crops of ../shared/data/photos, tested on the centre
#           crops of Kodak.
set -e
cd "$(dirname "$0")/.."
. experiments/common.sh
TTO_LR=${TTO_LR:-0.001}
STANDARD_LR=${STANDARD_LR:-0.001}
mkdir -p runs docs/results/transinr
CSV=docs/results/transinr.csv

train() {  # NAME CONFIG [--set ...]
  name=$1; shift
  run_training "runs/$name" "$@"
}

# Appends "data,method,setting,psnr,ssim,ms_per_image,train_seconds" from an `evaluate` line (no commas in
# the arguments: they are CSV fields).
record() {  # DATA METHOD SETTING RUN_OR_DASH -- evaluate arguments
  data=$1; method=$2; setting=$3; run=$4; shift 5
  line=$($BIN evaluate "$@")
  echo "$data / $method / $setting: $line"
  seconds=-
  if [ "$run" != "-" ]; then seconds=$(tail -n 1 "runs/$run/log.csv" | cut -d, -f6); fi
  echo "$line" | sed -E 's/.*PSNR ([0-9.]+) dB.*SSIM ([0-9.]+); ([0-9.]+) ms per image/\1,\2,\3/' |
    awk -v d="$data" -v m="$method" -v s="$setting" -v t="$seconds" '{ print d "," m "," s "," $0 "," t }' >> "$CSV"
}

train transinr-emoji configs/transinr-emoji.yaml
for g in 1 4 16 64; do
  train "transinr-emoji-2k-g$g" configs/transinr-emoji.yaml --set transINR.groups=$g --set train.steps=2000
done
train learnedinit-emoji configs/learnedinit-emoji.yaml
train transinr-photos configs/transinr-photos.yaml
train learnedinit-photos configs/learnedinit-photos.yaml

echo "data,method,setting,psnr,ssim,ms_per_image,train_seconds" > "$CSV"
for d in emoji photos; do
  for k in 0 10 100; do
    record $d Trans-INR "TTO $k" "transinr-$d" -- --model "runs/transinr-$d/checkpoint.safetensors" --tto-steps $k --tto-lr $TTO_LR
  done
  record $d "Learned Init" "MAML; 3 SGD steps" "learnedinit-$d" -- --model "runs/learnedinit-$d/checkpoint.safetensors"
  for k in 3 10 100; do
    record $d Standard "Adam $k steps" - -- --config "configs/transinr-$d.yaml" --standard-steps $k --standard-lr $STANDARD_LR
  done
done
for g in 1 4 16 64; do
  record emoji-ablation Trans-INR "G $g" "transinr-emoji-2k-g$g" -- --model "runs/transinr-emoji-2k-g$g/checkpoint.safetensors"
done
for r in transinr-emoji learnedinit-emoji transinr-photos learnedinit-photos transinr-emoji-2k-g64; do
  cp "runs/$r/curves.svg" "docs/results/transinr/$r-curves.svg"
  cp "runs/$r/samples.png" "docs/results/transinr/$r-samples.png"
done
sh experiments/transinr-report.sh > docs/results/transinr.md
echo "wrote docs/results/transinr.md"
