#!/bin/bash
# Measure this deviation set again (patches written against 1b348e9): see ../measure-deviations.sh.
#   docs/audit/independent-deviations-round3/measure.sh [NN ...]   (default: all 40)
here=$(cd "$(dirname "$0")" && pwd)
exec bash "$here/../measure-deviations.sh" "$here" "$@"
