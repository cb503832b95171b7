#!/usr/bin/env bash
# The schema review the composite action (`action.yml`) runs, runnable anywhere: review every
# schema file changed since BASE, print GitHub annotations on the changed lines, write the
# pull-request comment (Markdown) to $REVIEW_COMMENT, append it to the job summary when
# $GITHUB_STEP_SUMMARY is set, and exit as `tensorseam diff` does (1 on a breaking change
# without a version bump, unless ALLOW_BREAKING=true; 2 on a usage or I/O error).
#
#   action/review.sh BASE [PATH...]
#
# Environment: TENSORSEAM (the binary; default `tensorseam` on PATH), REVIEW_COMMENT (default
# schema-review.md), ALLOW_BREAKING (true/false), GITHUB_STEP_SUMMARY.
set -uo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BASE [PATH...]" >&2
  exit 2
fi
base=$1
shift
bin=${TENSORSEAM:-tensorseam}
comment=${REVIEW_COMMENT:-schema-review.md}
allow=()
if [ "${ALLOW_BREAKING:-false}" = "true" ]; then
  allow=(--allow-breaking)
fi

# A shallow checkout may lack the base: fetch it (a no-op when present).
if ! git rev-parse --verify --quiet "$base^{commit}" >/dev/null; then
  remote_ref=${base#origin/}
  git fetch --no-tags --quiet origin "$remote_ref" || {
    echo "error: base revision \`$base\` is not in the repository; check out with fetch-depth: 0" >&2
    exit 2
  }
fi

# Annotations first (their exit status is the same verdict), then the comment and the gate.
"$bin" diff --git "$base" "$@" --format github "${allow[@]}"
"$bin" diff --git "$base" "$@" --format markdown "${allow[@]}" >"$comment"
status=$?
if [ "$status" -ge 2 ]; then
  echo "error: tensorseam diff could not review the change (exit $status)" >&2
  exit "$status"
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$comment" >>"$GITHUB_STEP_SUMMARY"
fi
if [ "$status" -ne 0 ]; then
  echo "A breaking schema change needs a version bump in the same change (see $comment)." >&2
fi
exit "$status"
