#!/usr/bin/env bash
# Run the benchmark suite once on a GPU machine, logs under $OUT (or benchmarks/out/gpu).
#
#   bash benchmarks/gpu.sh
#   STAGES='semiring_matmul differentiation' bash benchmarks/gpu.sh   # a subset
#
# Wheels for packages the machine lacks (DisCoPy, anchors) may sit in .whl/;
# anchor scripts (never committed) may sit in .anchors/. Each benchmark has
# its own time limit so that one slow stage cannot eat the others' results.
set -u
OUT=${OUT:-benchmarks/out/gpu}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl && export PYTHONPATH="$PYTHONPATH:/tmp/site"
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/machine.txt"
python3 -c "import jax, catlearn; print('jax', jax.__version__, jax.devices())" | tee -a "$OUT/machine.txt"
stage() {  # name, seconds, command...
  local name=$1 limit=$2; shift 2
  echo "=== $name (limit ${limit}s)"
  local start=$SECONDS
  timeout "$limit" "$@" 2>&1 | tee "$OUT/$name.md"
  echo "=== $name: rc ${PIPESTATUS[0]}, $((SECONDS - start)) s"
}
STAGES=${STAGES:-circuits anchors models semiring_matmul differentiation}
for name in $STAGES; do
  case $name in
    circuits) stage circuits "${CIRCUITS_S:-230}" python3 benchmarks/circuits.py ;;
    anchors)
      for anchor in .anchors/*_gpu.py; do
        [ -e "$anchor" ] && stage "anchor-$(basename "$anchor" .py)" 60 python3 "$anchor"
      done ;;
    models) stage models "${MODELS_S:-120}" python3 benchmarks/models.py ;;
    semiring_matmul) stage semiring_matmul "${MATMUL_S:-200}" \
      python3 benchmarks/semiring_matmul.py --no-peak ;;
    differentiation)
      # up to 10^5 gates; the scalar-JAX anchor (minutes to compile) forward to 10^4, vjp 10^3
      stage differentiation "${DIFF_S:-220}" \
        python3 benchmarks/differentiation.py --quick --sizes 22 70 224 --scalar-max 70 ;;
  esac
done
