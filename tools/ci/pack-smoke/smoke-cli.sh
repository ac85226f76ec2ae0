#!/usr/bin/env bash
# Runs in a scratch npm project holding only the packed tarballs: the installed `rnnkit` bin works.
set -euo pipefail
npx --no-install rnnkit --help | grep -q 'rnnkit train \[file\]'
printf 'value\n' > tiny.csv
for i in $(seq 1 60); do echo "$i" >> tiny.csv; done
npx --no-install rnnkit train tiny.csv --steps 3 --hidden 4 --seq-len 8 --out out >/dev/null 2>&1
test -s out/checkpoint.safetensors
npx --no-install rnnkit info out/checkpoint.safetensors | grep -q 'series-forecast'
echo "smoke-cli: OK (npx rnnkit --help, train on a CSV, info, from the tarballs)"
