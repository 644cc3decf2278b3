#!/bin/sh
# Novel view synthesis at CPU scale (docs/results/nvs.md): data, training, evaluation.
# Usage: sh experiments/nvs.sh   (from the repository root; HYPERINR_BIN overrides the binary)
set -e
H=${HYPERINR_BIN:-.build/release/hyperinr}
# Data: 300 procedural chairs (240 train, 30 val, 30 test) and 30 posed, coloured copies of the 10 shared
# meshes (27 in their test split), 25 views of 32x32 each.
[ -d runs/views-chairs ] || $H make-views --config configs/views-chairs.yaml -o runs/views-chairs
[ -d runs/views-meshes ] || $H make-views --config configs/views-meshes.yaml -o runs/views-meshes
# Training (every run evaluates on the val split only).
for m in transinr ipc learnedinit; do
  [ -f runs/nvs-$m/report.md ] || $H train --config configs/$m-nvs-chairs.yaml --output runs/nvs-$m
done
# Test-time optimisation settings on the val split.
for lr in 0.0001 0.001; do
  $H evaluate --model runs/nvs-transinr/checkpoint.safetensors --split validation --tto-steps 10 --tto-lr $lr
done
# Once, at the end: the test objects, and the unseen real meshes.
for data in "" "--data runs/views-meshes/meshes"; do
  for m in transinr ipc learnedinit; do $H evaluate --model runs/nvs-$m/checkpoint.safetensors --split test $data; done
  for s in 10 100; do $H evaluate --model runs/nvs-transinr/checkpoint.safetensors --split test --tto-steps $s --tto-lr "${TTO_LR:-0.001}" $data; done
  $H evaluate --config configs/transinr-nvs-chairs.yaml --constant --split test $data
done
