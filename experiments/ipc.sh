#!/bin/sh
# IPC experiments at CPU scale: trains (or resumes) every run under runs/ipc/, two at a time with one thread
# each (the machine's two cores), then evaluates them once on the test sets and writes docs/results/ipc.csv
# and the runs' curves and samples to docs/results/ipc/. Every run holds out a validation split of its
# training data (data.validation); the runs' own evaluations (eval.csv, report.md) use it, and the ablations
# below are compared on it. The test sets are evaluated once, at the end, by `hyperinr evaluate`.
#   main:   IPC (transformer), IPC meta-learned, Trans-INR, Learned Init on emoji 64x64 (3000 steps), FSDD
#           (3000 steps) and 64x64 photo patches (2000 steps); the same INR (Fourier ReLU 3 x 128) for all;
#           Standard (Adam from a random init, 3 and 100 steps per signal), and the constant INR (mid-grey,
#           silence) as the floor.
#   layer:  IPC on emoji with the modulated layer 0, 1, 2, 3 (1000 steps; rank 32, the output layer 3 x 128 at
#           its largest rank 3).
#   rank:   IPC on emoji with r = 8, 32, 128 at layer 1 (1000 steps).
#   PONP:   probabilistic IPC on emoji seeing 10 %, 50 %, 100 % of the pixels, and the deterministic IPC
#           (2000 steps): first with the plain Gaussian NLL, then with beta-NLL (beta chosen on validation
#           over 0, 0.5, 1 at 1000 steps, context 100 %).
#   probes: on validation splits, after the main runs: photo IPC with layer 0 or 1 modulated or 16x16 data
#           patches (1000 steps; layer 0 then also for 2000 steps, against the main layer-1 run), FSDD IPC on peak-normalised clips
#           (1500 steps with layer 1 or 0, and 6000 steps), and FSDD IPC memorising 50 training clips (trained and
#           scored on them).
#   FSDD long: IPC, Trans-INR and Learned Init on peak-normalised clips for 12000 steps (test set, once).
set -e
cd "$(dirname "$0")/.."
. experiments/ipc-common.sh

queue_a() {
  train ipc-emoji configs/ipc-emoji.yaml --set train.steps=3000
  train transinr-emoji configs/transinr-emoji.yaml --set train.steps=3000 --set data.validation=300
  train ipc-fsdd configs/ipc-fsdd.yaml --set train.steps=3000
  train transinr-fsdd configs/transinr-fsdd.yaml --set train.steps=3000
  train ipc-photos configs/ipc-photos.yaml --set train.steps=2000
  train transinr-photos configs/transinr-photos.yaml --set train.steps=2000 --set data.validation=10
  for l in 0 2; do train "ipc-emoji-layer$l" configs/ipc-emoji.yaml --set train.steps=1000 --set ipc.modulatedLayer=$l; done
  train ipc-emoji-layer3 configs/ipc-emoji.yaml --set train.steps=1000 --set ipc.modulatedLayer=3 --set ipc.rank=3
  train ipc-emoji-layer1 configs/ipc-emoji.yaml --set train.steps=1000
  for r in 8 128; do train "ipc-emoji-rank$r" configs/ipc-emoji.yaml --set train.steps=1000 --set ipc.rank=$r; done
  for l in 0 1; do train "ipc-photos-probe-layer$l" configs/ipc-photos.yaml --set train.steps=1000 --set ipc.modulatedLayer=$l; done
  train ipc-photos-probe-patch16 configs/ipc-photos.yaml --set train.steps=1000 --set ipc.patch=16
  train ipc-photos-layer0 configs/ipc-photos.yaml --set train.steps=2000 --set ipc.modulatedLayer=0
  train ipc-fsdd-peak-layer0-1500 configs/ipc-fsdd.yaml --set train.steps=1500 --set data.normalize=peak --set ipc.modulatedLayer=0
}

# The long FSDD runs on peak-normalised clips (after the 6000-step probe began to leave silence): IPC,
# Trans-INR and Learned Init side by side at 12000 steps, one thread each.
long_fsdd() {
  train "$1-fsdd-peak-12k" "configs/$1-fsdd.yaml" --set train.steps=12000 --set data.normalize=peak --set train.evalEvery=2000
}

queue_b() {
  train ipc-meta-emoji configs/ipc-meta-emoji.yaml --set train.steps=3000
  train learnedinit-emoji configs/learnedinit-emoji.yaml --set train.steps=3000 --set data.validation=300
  train ipc-meta-fsdd configs/ipc-meta-fsdd.yaml --set train.steps=3000
  train learnedinit-fsdd configs/learnedinit-fsdd.yaml --set train.steps=3000
  train ipc-meta-photos configs/ipc-meta-photos.yaml --set train.steps=2000
  train learnedinit-photos configs/learnedinit-photos.yaml --set train.steps=2000 --set data.validation=10
  for f in 0.1 0.5 1; do
    train "ponp-emoji-context$f" configs/ponp-ipc-emoji.yaml --set train.steps=2000 --set data.contextFraction=$f --set train.nllBeta=0
  done
  train ipc-emoji-2k configs/ipc-emoji.yaml --set train.steps=2000
  for b in 0 0.5 1; do
    train "ponp-emoji-beta$b-1k" configs/ponp-ipc-emoji.yaml --set train.steps=1000 --set data.contextFraction=1 --set train.nllBeta=$b
  done
  for f in 1 0.5 0.1; do train "ponp-emoji-beta0.5-context$f" configs/ponp-ipc-emoji.yaml --set train.steps=2000 --set data.contextFraction=$f; done
  train ipc-fsdd-peak-1500 configs/ipc-fsdd.yaml --set train.steps=1500 --set data.normalize=peak
  train ipc-fsdd-memorise configs/ipc-fsdd.yaml --set train.steps=1000 --set data.normalize=peak --set 'data.trainMatch=_5\.wav$' \
    --set 'data.testMatch=_5\.wav$' --set data.validation=0 --set data.testCount=60 --set train.evalEvery=250
  train ipc-fsdd-peak-6k configs/ipc-fsdd.yaml --set train.steps=6000 --set data.normalize=peak --set train.evalEvery=1000
}

if [ "${SKIP_TRAINING:-}" = "" ]; then
  queue_a & a=$!
  queue_b & b=$!
  wait $a
  wait $b
  long_fsdd ipc & a=$!
  long_fsdd transinr & b=$!
  long_fsdd learnedinit
  wait $a
  wait $b
fi

# Evaluations run one at a time, with both threads.
export HYPERINR_THREADS=2

for d in emoji fsdd photos; do
  record $d IPC "one forward pass" "ipc-$d" -- --model "runs/ipc/ipc-$d/checkpoint.safetensors"
  record $d "IPC meta-learned" "2 inner steps" "ipc-meta-$d" -- --model "runs/ipc/ipc-meta-$d/checkpoint.safetensors"
  record $d Trans-INR "one forward pass" "transinr-$d" -- --model "runs/ipc/transinr-$d/checkpoint.safetensors"
  record $d "Learned Init" "MAML 3 SGD steps" "learnedinit-$d" -- --model "runs/ipc/learnedinit-$d/checkpoint.safetensors"
  for k in 3 100; do
    record $d Standard "Adam $k steps" - -- --config "configs/transinr-$d.yaml" --standard-steps $k --standard-lr 0.001
  done
  record $d Constant "output bias everywhere" - -- --config "configs/transinr-$d.yaml" --constant
done
# Ablations: on the validation split (settings are compared there, not on the test set).
for l in 0 1 2 3; do
  record emoji-validation "IPC layer ablation" "layer $l" "ipc-emoji-layer$l" -- --model "runs/ipc/ipc-emoji-layer$l/checkpoint.safetensors" --split validation
done
for r in 8 128; do
  record emoji-validation "IPC rank ablation" "rank $r" "ipc-emoji-rank$r" -- --model "runs/ipc/ipc-emoji-rank$r/checkpoint.safetensors" --split validation
done
for f in 0.1 0.5 1; do
  record emoji PONP-IPC "context $f" "ponp-emoji-context$f" -- --model "runs/ipc/ponp-emoji-context$f/checkpoint.safetensors"
done
record emoji IPC "deterministic 2000 steps" "ipc-emoji-2k" -- --model "runs/ipc/ipc-emoji-2k/checkpoint.safetensors"
for f in 0.1 0.5 1; do
  record emoji "PONP-IPC beta-NLL 0.5" "context $f" "ponp-emoji-beta0.5-context$f" -- --model "runs/ipc/ponp-emoji-beta0.5-context$f/checkpoint.safetensors"
done
# FSDD at 12000 steps on peak-normalised clips: the test set, once.
record fsdd-peak IPC "one forward pass, 12000 steps" ipc-fsdd-peak-12k -- --model runs/ipc/ipc-fsdd-peak-12k/checkpoint.safetensors
record fsdd-peak Trans-INR "one forward pass, 12000 steps" transinr-fsdd-peak-12k -- --model runs/ipc/transinr-fsdd-peak-12k/checkpoint.safetensors
record fsdd-peak "Learned Init" "MAML 3 SGD steps, 12000 steps" learnedinit-fsdd-peak-12k -- --model runs/ipc/learnedinit-fsdd-peak-12k/checkpoint.safetensors
record fsdd-peak Standard "Adam 100 steps" - -- --config configs/transinr-fsdd.yaml --standard-steps 100 --standard-lr 0.001 --set data.normalize=peak
record fsdd-peak Constant "output bias everywhere" - -- --config configs/transinr-fsdd.yaml --constant --set data.normalize=peak
# Probes on validation splits.
for b in 0 0.5 1; do
  record emoji-validation "PONP-IPC beta probe" "beta $b" "ponp-emoji-beta$b-1k" -- --model "runs/ipc/ponp-emoji-beta$b-1k/checkpoint.safetensors" --split validation
done
for p in layer0 layer1 patch16; do
  record photos-validation "IPC photo probe" "$p" "ipc-photos-probe-$p" -- --model "runs/ipc/ipc-photos-probe-$p/checkpoint.safetensors" --split validation
done
record photos-validation "IPC photo probe" "layer0 2000 steps" ipc-photos-layer0 -- --model runs/ipc/ipc-photos-layer0/checkpoint.safetensors --split validation
record photos-validation "IPC photo probe" "layer1 2000 steps" ipc-photos -- --model runs/ipc/ipc-photos/checkpoint.safetensors --split validation
record photos-validation "Trans-INR photo probe" "2000 steps" transinr-photos -- --model runs/ipc/transinr-photos/checkpoint.safetensors --split validation
for r in peak-1500 peak-layer0-1500 peak-6k; do
  record fsdd-validation "IPC peak-normalised" "$r" "ipc-fsdd-$r" -- --model "runs/ipc/ipc-fsdd-$r/checkpoint.safetensors" --split validation
done
record fsdd-validation Constant "peak-normalised" - -- --config configs/ipc-fsdd.yaml --constant --split validation --set data.normalize=peak
record fsdd-train50 "IPC memorising" "50 training clips" ipc-fsdd-memorise -- --model runs/ipc/ipc-fsdd-memorise/checkpoint.safetensors
record fsdd-train50 Constant "peak-normalised" - -- --config configs/ipc-fsdd.yaml --constant --set data.normalize=peak \
  --set 'data.testMatch=_5\.wav$' --count 60
for r in ipc-emoji ipc-meta-emoji transinr-emoji learnedinit-emoji ipc-fsdd transinr-fsdd ipc-photos transinr-photos ponp-emoji-context0.1 ponp-emoji-context0.5 \
         ponp-emoji-beta0.5-context0.1 ponp-emoji-beta0.5-context0.5 ipc-fsdd-memorise; do
  cp "runs/ipc/$r/curves.svg" "docs/results/ipc/$r-curves.svg"
  for s in samples.png samples.svg; do if [ -f "runs/ipc/$r/$s" ]; then cp "runs/ipc/$r/$s" "docs/results/ipc/$r-$s"; fi; done
done
echo "wrote $CSV"
