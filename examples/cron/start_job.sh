#!/usr/bin/env bash
# Start one UiPath Orchestrator job, then exit: a job starter for cron, in bash with curl only
# (plus sed, base64, iconv and sha256sum from coreutils/glibc; no jq).
#
# Configured by the same UIPATH_* variables as start_job.py (conformance/PROTOCOL.md), for every
# credential: client_credentials and refresh_token (identity server), user_key (legacy cloud),
# password (on prem only). The same habits keep it alive with nobody logging in again:
#   - a rotated refresh token goes to $UIPATH_TOKEN_STORE (0600, atomic mv) before anything else,
#     and later runs start from the store, never from the consumed configured token;
#   - every run gets a fresh access token; no password is ever sent to the cloud;
#   - StartJobs carries a unique Reference: a lost answer is looked up, never blindly resent;
#   - curl waits out 429 Retry-After and retries 5xx (nothing was done), with a timeout;
#   - no token is ever printed.
set -euo pipefail

timeout="${UIPATH_TIMEOUT:-20}"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

fail() { echo "start_job.sh: $*" >&2; exit 1; }
need() { [ -n "${!1:-}" ] || fail "$1 is not set"; }

# The string value of a top-level JSON field (the answers here are flat enough for sed).
field() { sed -n 's/.*"'"$1"'"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$2" | head -n 1; }

# post_json URL DATA -> the status; the body lands in $workdir/body
post_json() {
  curl -sS --noproxy '*' --max-time "$timeout" --retry 2 --retry-max-time 60 \
    -o "$workdir/body" -w '%{http_code}' -H "Content-Type: application/json" \
    --data-binary "$2" "$1" || echo "000"
}

# post_form URL NAME=VALUE... -> the status (curl url-encodes each value)
post_form() {
  local url="$1"; shift
  local -a fields=()
  for pair in "$@"; do fields+=(--data-urlencode "$pair"); done
  curl -sS --noproxy '*' --max-time "$timeout" --retry 2 --retry-max-time 60 \
    -o "$workdir/body" -w '%{http_code}' "${fields[@]}" "$url" || echo "000"
}

fingerprint() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

refresh_token_to_use() {  # the store's token if it continues the configured one
  local store="${UIPATH_TOKEN_STORE:-}"
  if [ -n "$store" ] && [ -f "$store" ] \
    && [ "$(sed -n 1p "$store")" = "$(fingerprint "$UIPATH_REFRESH_TOKEN")" ]; then
    sed -n 2p "$store"
  else
    printf '%s' "$UIPATH_REFRESH_TOKEN"
  fi
}

save_refresh_token() {
  need UIPATH_TOKEN_STORE
  local tmp
  tmp="$(mktemp "$(dirname "$UIPATH_TOKEN_STORE")/.token-store-XXXXXX")"
  chmod 600 "$tmp"
  printf '%s\n%s\n' "$(fingerprint "$UIPATH_REFRESH_TOKEN")" "$1" >"$tmp"
  mv -f "$tmp" "$UIPATH_TOKEN_STORE"
}

access_token() {
  local status token
  case "${UIPATH_CREDENTIAL:-}" in
    client_credentials)
      need UIPATH_CLIENT_ID; need UIPATH_CLIENT_SECRET; need UIPATH_IDENTITY_URL
      status="$(post_form "$UIPATH_IDENTITY_URL/connect/token" grant_type=client_credentials \
        "client_id=$UIPATH_CLIENT_ID" "client_secret=$UIPATH_CLIENT_SECRET" \
        "scope=${UIPATH_SCOPE:-OR.Jobs OR.Execution OR.Folders}")"
      token="$(field access_token "$workdir/body")" ;;
    refresh_token)
      need UIPATH_CLIENT_ID; need UIPATH_REFRESH_TOKEN; need UIPATH_IDENTITY_URL
      status="$(post_form "$UIPATH_IDENTITY_URL/connect/token" grant_type=refresh_token \
        "client_id=$UIPATH_CLIENT_ID" "refresh_token=$(refresh_token_to_use)")"
      token="$(field access_token "$workdir/body")"
      local rotated
      rotated="$(field refresh_token "$workdir/body")"
      if [ "$status" = 200 ] && [ -n "$rotated" ]; then save_refresh_token "$rotated"; fi ;;
    user_key)
      need UIPATH_CLIENT_ID; need UIPATH_USER_KEY; need UIPATH_LEGACY_TOKEN_URL
      status="$(post_json "$UIPATH_LEGACY_TOKEN_URL" \
        "{\"grant_type\":\"refresh_token\",\"client_id\":\"$UIPATH_CLIENT_ID\",\"refresh_token\":\"$UIPATH_USER_KEY\"}")"
      token="$(field access_token "$workdir/body")" ;;
    password)
      [ "${UIPATH_PROFILE:-onprem}" = onprem ] \
        || fail "a password login only works on prem; configure an external application"
      need UIPATH_USERNAME; need UIPATH_PASSWORD
      status="$(post_json "$UIPATH_URL/api/Account/Authenticate" \
        "{\"tenancyName\":\"${UIPATH_TENANT:-Default}\",\"usernameOrEmailAddress\":\"$UIPATH_USERNAME\",\"password\":\"$UIPATH_PASSWORD\"}")"
      token="$(field result "$workdir/body")" ;;
    *) fail "unknown UIPATH_CREDENTIAL '${UIPATH_CREDENTIAL:-}'" ;;
  esac
  [ "$status" = 200 ] && [ -n "$token" ] \
    || fail "no token: HTTP $status $(field error "$workdir/body")"
  printf '%s' "$token"
}

main() {
  need UIPATH_URL; need UIPATH_PROCESS
  local token orchestrator folder reference status key
  token="$(access_token)"
  orchestrator="${UIPATH_URL%/}"
  [ "${UIPATH_PROFILE:-}" = onprem ] || orchestrator="$orchestrator/orchestrator_"
  folder="$(printf '%s' "${UIPATH_FOLDER_PATH:-Shared}" | iconv -f UTF-8 -t UTF-16LE | base64 -w0)"
  reference="cron-$(date +%s)-$$-$RANDOM"
  local -a headers=(-H "Authorization: Bearer $token" -H "X-UIPATH-FolderPath-Encoded: $folder")
  for attempt in 1 2 3; do
    status="$(curl -sS --noproxy '*' --max-time "$timeout" --retry 2 --retry-max-time 60 \
      -o "$workdir/body" -w '%{http_code}' -X POST "${headers[@]}" -H 'Content-Type: application/json' \
      --data-binary "{\"startInfo\":{\"ReleaseName\":\"$UIPATH_PROCESS\",\"JobsCount\":1,\"Reference\":\"$reference\"}}" \
      "$orchestrator/odata/Jobs/UiPath.Server.Configuration.OData.StartJobs" 2>/dev/null || echo 000)"
    if [ "$status" = 201 ]; then key="$(field Key "$workdir/body")"; break; fi
    case "$status" in 000 | 5*) ;; *) fail "StartJobs refused: HTTP $status" ;; esac
    # No answer or a 5xx: the job may have started anyway. Look it up before trying again.
    status="$(curl -sS --noproxy '*' --max-time "$timeout" -o "$workdir/body" -w '%{http_code}' \
      "${headers[@]}" --get --data-urlencode "\$filter=Reference eq '$reference'" \
      "$orchestrator/odata/Jobs" 2>/dev/null || echo 000)"
    key="$(field Key "$workdir/body")"
    if [ "$status" = 200 ] && [ -n "$key" ]; then break; fi
    sleep "$attempt"
  done
  [ -n "${key:-}" ] || fail "StartJobs failed; no job was started"
  echo "started job $key: $UIPATH_PROCESS in ${UIPATH_FOLDER_PATH:-Shared}"
}

main "$@"
