#!/bin/sh
# A stand-in `tailscale` for the testbed: `tailscale status --json` replays one of the recorded
# outputs in $DIR (test/fixtures/fallback), the one named in $DIR/state, as the real CLI does
# (a JSON file: exit 0; a .stderr file: that message on stderr, exit 1). The test switches the state.
DIR=/run/clawops-standin-tailscale
[ "$1 $2" = "status --json" ] || { echo "stand-in tailscale: only 'status --json'" >&2; exit 2; }
state=$(cat "$DIR/state")
if [ -f "$DIR/$state.json" ]; then cat "$DIR/$state.json"; exit 0; fi
cat "$DIR/$state.stderr" >&2
exit 1
