#!/usr/bin/env bash
# Packaging check without a Docker engine (.ci/run calls it):
#  1. lints the Dockerfile: hadolint when installed (Debian has no
#     package for it), else a structural lint: every FROM pinned to a
#     tag or digest (never latest), a non-root USER in the final stage,
#     a HEALTHCHECK, exec-form ENTRYPOINT, the build stage running
#     deploy/build.sh;
#  2. runs the build stage's commands as plain shell on a copy of the
#     build context (tracked files minus .dockerignore), with the same
#     script and flags (deploy/build.sh), and checks the binary is
#     static, stripped and built with -trimpath;
#  3. runs the binary as the image would: VIGIE_LISTEN=0.0.0.0 without
#     tokens is refused; with a token it serves, and `vigie healthcheck`
#     (the image's HEALTHCHECK) passes; SIGTERM stops it with status 0.
set -euo pipefail
cd "$(dirname "$0")/.."

dockerfile=${DOCKERFILE:-Dockerfile}
fail() { echo "dockerfile-check: $*" >&2; exit 1; }
step() { printf -- '--- %s\n' "$*"; }

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# ---------------------------------------------------------------- lint
step "lint $dockerfile"
if command -v hadolint >/dev/null 2>&1; then
  hadolint "$dockerfile"
else
  echo "hadolint is not installed (no Debian package): structural lint"
fi
# Instructions, with continuation lines joined and comments dropped.
instructions=$(sed -e '/^[[:space:]]*#/d' "$dockerfile" | sed -e ':a' -e '/\\$/N; s/\\\n/ /; ta')
froms=$(grep -iE '^FROM ' <<<"$instructions" || true)
[ -n "$froms" ] || fail "no FROM"
while read -r _ image _; do
  case "$image" in
    *@sha256:*) ;;                                   # pinned by digest
    *:latest) fail "FROM $image: pin a version, not latest" ;;
    *:*) ;;                                          # pinned by tag
    *) fail "FROM $image: no tag (pin a version)" ;;
  esac
done <<<"$froms"
final=$(awk 'toupper($1)=="FROM"{buf=""} {buf=buf $0 "\n"} END{printf "%s", buf}' <<<"$instructions")
user=$(grep -iE '^USER ' <<<"$final" | tail -n1 | awk '{print $2}')
[ -n "$user" ] || fail "the final stage has no USER"
case "${user%%:*}" in root|0) fail "the final stage runs as $user" ;; esac
grep -qiE '^HEALTHCHECK .*CMD' <<<"$final" || fail "the final stage has no HEALTHCHECK"
grep -qiE '^ENTRYPOINT \[' <<<"$final" || fail "ENTRYPOINT is not in exec form"
grep -qiE '^ADD ' <<<"$instructions" && fail "use COPY, not ADD"
build_runs=$(awk 'toupper($1)=="FROM"{n++} n==1 && toupper($1)=="RUN"{sub(/^[Rr][Uu][Nn] /,""); print}' <<<"$instructions")
grep -q 'deploy/build.sh' <<<"$build_runs" || fail "the build stage does not run deploy/build.sh"
grep -q 'CGO_ENABLED=0 go build -trimpath -ldflags "-s -w"' deploy/build.sh || fail "deploy/build.sh lost its static build flags"
echo "ok: FROM pinned, USER $user, HEALTHCHECK, exec-form ENTRYPOINT, build via deploy/build.sh"

# ------------------------------------------------------ build context
step "build context: tracked files minus .dockerignore"
ctx="$work/src"
mkdir -p "$ctx"
ignored() { # path: is it excluded by .dockerignore?
  local path=$1 pat
  while IFS= read -r pat || [ -n "$pat" ]; do
    pat=${pat%%#*}; pat=${pat%"${pat##*[![:space:]]}"}
    [ -z "$pat" ] && continue
    pat=${pat#/}
    if [[ $pat == '**/'* ]]; then
      local rest=${pat#'**/'}
      # shellcheck disable=SC2053
      [[ $path == $rest || $path == $rest/* || $path == */$rest || $path == */$rest/* ]] && return 0
    else
      # shellcheck disable=SC2053
      [[ $path == $pat || $path == $pat/* ]] && return 0
    fi
  done < .dockerignore
  return 1
}
n=0
while IFS= read -r f; do
  [ -e "$f" ] || continue
  ignored "$f" && continue
  mkdir -p "$ctx/$(dirname "$f")"
  cp -p "$f" "$ctx/$f"
  n=$((n + 1))
done < <(git ls-files)
echo "ok: $n files"

# --------------------------------------------------------- build stage
step "build stage (go mod download; sh deploy/build.sh /out/vigie)"
(cd "$ctx" && go mod download && sh deploy/build.sh "$work/out/vigie" && mkdir -p "$work/out/state")
bin="$work/out/vigie"
info=$(go version -m "$bin")
grep -q 'build	CGO_ENABLED=0' <<<"$info" || fail "not built with CGO_ENABLED=0"
grep -q 'build	-trimpath=true' <<<"$info" || fail "not built with -trimpath"
# With -trimpath, Go leaves -ldflags out of the build info: check what
# "-s -w" does instead (no symbol table, no DWARF).
if go tool nm "$bin" >/dev/null 2>&1; then fail "the binary has a symbol table (-ldflags -s missing)"; fi
if command -v readelf >/dev/null 2>&1; then
  if readelf -lW "$bin" | grep -q 'INTERP'; then fail "the binary is dynamically linked"; fi
  if readelf -SW "$bin" | grep -qE '\.(z)?debug_'; then fail "the binary has DWARF (-ldflags -w missing)"; fi
else
  echo "readelf not installed: the DWARF and static-link checks are skipped"
fi
"$bin" rules defaults >/dev/null || fail "the embedded default rules do not load"
echo "ok: static, stripped, -trimpath; $(du -h "$bin" | cut -f1); embedded rules load"

# ------------------------------------------------------ run as the image
step "runtime: as the image runs it"
state="$work/out/state"
if VIGIE_LISTEN=0.0.0.0:8080 VIGIE_STORE="$state/refused.db" "$bin" run >"$work/refused.log" 2>&1; then
  fail "VIGIE_LISTEN=0.0.0.0:8080 without tokens was accepted"
fi
grep -q 'refusing' "$work/refused.log" || fail "no clear refusal: $(cat "$work/refused.log")"
token=dockerfile-check-token
hashes=$(printf '%s\n' "$token" | "$bin" api hash-token)
VIGIE_API_TOKEN_HASHES=$hashes VIGIE_STORE="$state/vigie.db" VIGIE_LOG_FORMAT=json \
  "$bin" run --listen 127.0.0.1:0 >"$work/run.log" 2>&1 &
pid=$!
addr=
for _ in $(seq 1 300); do
  addr=$(sed -n 's/.*"msg":"Vigie running".*"listen":"\([^"]*\)".*/\1/p' "$work/run.log" | head -n1)
  [ -n "$addr" ] && break
  kill -0 "$pid" 2>/dev/null || fail "vigie run exited: $(cat "$work/run.log")"
  sleep 0.1
done
[ -n "$addr" ] || fail "vigie run did not start: $(cat "$work/run.log")"
ok=
for _ in $(seq 1 100); do
  if VIGIE_LISTEN=$addr "$bin" healthcheck >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.1
done
[ -n "$ok" ] || fail "vigie healthcheck failed against $addr"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[ "$status" -eq 0 ] || fail "vigie run exited with status $status after SIGTERM: $(cat "$work/run.log")"
grep -q '"msg":"incident store closed"' "$work/run.log" || fail "the store was not closed"
echo "ok: refused without tokens, healthcheck passed on $addr, clean stop"
echo "dockerfile-check: all checks passed"
