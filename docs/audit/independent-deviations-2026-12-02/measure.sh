#!/bin/bash
# Measure this deviation set again (patches written against 160003f): see ../measure-deviations.sh.
#   docs/audit/independent-deviations-2026-12-02/measure.sh [NN ...]   (default: all 40)
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/../measure-deviations.sh" "$here" "$@"
