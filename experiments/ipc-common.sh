# Sourced by the IPC experiment scripts from the package root: common.sh (BIN, run_training), one thread per
# training run, the results CSV, train NAME CONFIG [--set ...] (into runs/ipc/NAME, its output in
# runs/ipc/NAME.out) and record (below).
. experiments/common.sh
export HYPERINR_THREADS=1
mkdir -p runs/ipc docs/results/ipc
CSV=docs/results/ipc.csv
[ -f "$CSV" ] || echo "data,method,setting,psnr,ssim,nll,within1,within2,ms_per_signal,train_seconds" > "$CSV"

train() {  # NAME CONFIG [--set ...]
  name=$1; shift
  run_training "runs/ipc/$name" "$@" > "runs/ipc/$name.out" 2>&1
}

# Appends "data,method,setting,psnr,ssim,nll,within1,within2,ms_per_signal,train_seconds" from an `evaluate`
# line (no commas in the arguments: they are CSV fields), unless the CSV has that row already (so an
# interrupted evaluation continues; a rerun after retraining from scratch
# must start from a fresh CSV to see its own numbers).
record() {  # DATA METHOD SETTING RUN_OR_DASH -- evaluate arguments
  data=$1; method=$2; setting=$3; run=$4; shift 5
  if grep -q "^$data,$method,$setting," "$CSV"; then return; fi
  line=$($BIN evaluate "$@")
  echo "$data / $method / $setting: $line"
  seconds=-
  if [ "$run" != "-" ]; then seconds=$(tail -n 1 "runs/ipc/$run/log.csv" | cut -d, -f6); fi
  psnr=$(echo "$line" | sed -E 's/.*PSNR (-?[0-9.]+) dB.*/\1/')
  ssim=$(echo "$line" | grep -q SSIM && echo "$line" | sed -E 's/.*SSIM (-?[0-9.]+).*/\1/' || echo -)
  nll=$(echo "$line" | grep -q NLL && echo "$line" | sed -E 's/.*NLL (-?[0-9.]+).*/\1/' || echo -)
  w1=$(echo "$line" | grep -q "within 1" && echo "$line" | sed -E 's/.*within 1 sigma ([0-9.]+) %.*/\1/' || echo -)
  w2=$(echo "$line" | grep -q "within 2" && echo "$line" | sed -E 's/.*within 2 sigma ([0-9.]+) %.*/\1/' || echo -)
  ms=$(echo "$line" | sed -E 's/.*; ([0-9.]+) ms per .*/\1/')
  echo "$data,$method,$setting,$psnr,$ssim,$nll,$w1,$w2,$ms,$seconds" >> "$CSV"
}
