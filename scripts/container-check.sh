#!/usr/bin/env bash
# Pre-release check of the container image, without a Docker engine or a registry (buildah, chroot isolation):
#   1. the base image (scripts/container-base.sh; kept once built) and the image from the Dockerfile;
#   2. the standalone Kusto and Service Bus emulators, started OUTSIDE the image on free 127.0.0.1 ports;
#   3. from the image: `kqlgate deploy` of kql/ into the engine, `kqlgate token --new-api-key` for a partner key,
#      then the two deployed roles, `KQLGATE_ROLE=gateway` and `KQLGATE_ROLE=ingestion`, with the repository's kql/
#      mounted over /app/kql as a deployment would mount its own;
#   4. both roles' /health/ready, and one function (LowStock) over REST, whose answer must be the row seeded into
#      the engine; then the image size.
# Everything it started (processes, containers, temporary files) is removed on every exit path. A failure ends it
# with one "container-check: FAILED: …" line and a non-zero exit code.
#
#   scripts/container-check.sh            run as root; IMAGE (localhost/kqlgate:check) and BASE_IMAGE may be set
#
# `podman run` cannot set resource limits on this kind of host, so the image runs under `buildah run --isolation
# chroot`, which shares the host's network: the roles reach the emulators on 127.0.0.1 as they would reach Azure.
set -euo pipefail

cd "$(dirname "$0")/.."
IMAGE="${IMAGE:-localhost/kqlgate:check}"
BASE_IMAGE="${BASE_IMAGE:-localhost/kqlgate-base:node24-bookworm}"
READY_TIMEOUT_SECONDS="${READY_TIMEOUT_SECONDS:-240}"
started_at=$SECONDS

fail() {
  echo "container-check: FAILED: $*" >&2
  exit 1
}
step() {
  echo "container-check: [$((SECONDS - started_at))s] $*"
}

for tool in buildah curl node npx; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed"
done
[ "$(id -u)" = "0" ] || fail "buildah's image store needs root here (run as root)"

work="$(mktemp -d /tmp/kqlgate-container-check.XXXXXX)"
chmod 755 "$work"
process_groups=()
containers=()
cleanup() {
  local status=$?
  local pgid name
  for pgid in "${process_groups[@]}"; do
    kill -TERM -- "-$pgid" 2>/dev/null || true
  done
  for pgid in "${process_groups[@]}"; do
    for _ in $(seq 1 50); do
      kill -0 -- "-$pgid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL -- "-$pgid" 2>/dev/null || true
  done
  for name in "${containers[@]}"; do
    buildah rm "$name" >/dev/null 2>&1 || true
  done
  if [ "$status" -ne 0 ]; then
    for log in "$work"/*.log; do
      [ -f "$log" ] || continue
      echo "── last lines of $(basename "$log") ──" >&2
      tail -n 15 "$log" >&2
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts a command in a process group of its own (setsid), so cleanup ends it and everything it spawned.
start_background() {
  local log="$1"
  shift
  setsid "$@" >"$work/$log" 2>&1 </dev/null &
  process_groups+=("$!")
}

free_port() {
  node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# Waits until $1 answers 200 or the process group $2 is gone; names the role in the failure.
wait_ready() {
  local url="$1" pgid="$2" what="$3" deadline=$((SECONDS + READY_TIMEOUT_SECONDS))
  until [ "$(curl -s -o "$work/ready.json" -w '%{http_code}' "$url" || true)" = "200" ]; do
    kill -0 -- "-$pgid" 2>/dev/null || fail "$what exited before $url answered 200"
    [ "$SECONDS" -lt "$deadline" ] ||
      fail "$what: $url did not answer 200 within ${READY_TIMEOUT_SECONDS}s (last answer: $(cat "$work/ready.json" 2>/dev/null))"
    sleep 1
  done
}

# ── 1. images ────────────────────────────────────────────────────────────────────────────────────────────────
step "base image $BASE_IMAGE"
scripts/container-base.sh "$BASE_IMAGE" || fail "the base image could not be built (see above)"
base_done=$SECONDS

# npm in the build stages trusts the CA certificates Node.js here trusts (a TLS-inspecting proxy's included).
ca_file="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
ca_args=()
if [ -f "$ca_file" ]; then
  ca_args=(--volume "$ca_file:/run/kqlgate-build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/kqlgate-build-ca.crt)
fi
step "image $IMAGE (buildah bud --isolation chroot --layers)"
buildah bud --isolation chroot --layers --force-rm --quiet --build-arg "BASE_IMAGE=$BASE_IMAGE" "${ca_args[@]}" \
  --tag "$IMAGE" . >"$work/build.log" 2>&1 || fail "buildah bud of the Dockerfile failed (build.log below)"
image_done=$SECONDS

# A fresh working container of the image in $container (not a subshell's output: cleanup must know of it).
new_container() {
  container="$(buildah from --quiet "$IMAGE")" || fail "buildah from $IMAGE"
  containers+=("$container")
}

# ── 2. emulators, outside the image ────────────────────────────────────────────────────────────────────────────
node scripts/build-if-needed.mjs || fail "npm run build failed: the emulators run from the packages' dist/"
kusto_port="$(free_port)"
servicebus_port="$(free_port)"
step "emulators: Kusto on 127.0.0.1:$kusto_port, Service Bus on 127.0.0.1:$servicebus_port"
start_background kusto-emulator.log npx --no-install kusto-emulator --port "$kusto_port" --data-dir "$work/kusto"
kusto_pgid="${process_groups[-1]}"
start_background servicebus-emulator.log npx --no-install servicebus-emulator --port "$servicebus_port" \
  --data-dir "$work/servicebus" --config config/servicebus-emulator.json
servicebus_pgid="${process_groups[-1]}"
kusto_url="http://127.0.0.1:$kusto_port"
deadline=$((SECONDS + 60))
until curl -s -o /dev/null "$kusto_url/v1/rest/mgmt" -H 'content-type: application/json' \
  -d '{"db":"analytics","csl":".show databases"}'; do
  kill -0 -- "-$kusto_pgid" 2>/dev/null || fail "the Kusto emulator exited at start"
  [ "$SECONDS" -lt "$deadline" ] || fail "the Kusto emulator did not listen on $kusto_url within 60s"
  sleep 0.5
done
until (exec 3<>"/dev/tcp/127.0.0.1/$servicebus_port") 2>/dev/null; do
  kill -0 -- "-$servicebus_pgid" 2>/dev/null || fail "the Service Bus emulator exited at start"
  [ "$SECONDS" -lt "$deadline" ] || fail "the Service Bus emulator did not listen on port $servicebus_port within 60s"
  sleep 0.5
done

# ── 3. the image against them ──────────────────────────────────────────────────────────────────────────────────
kql_mount=(--volume "$PWD/kql:/app/kql:ro")
step "kqlgate deploy (from the image)"
new_container
tools="$container"
buildah run --isolation chroot --network host "${kql_mount[@]}" "$tools" -- \
  kqlgate deploy --cluster "$kusto_url" --database analytics >"$work/deploy.log" 2>&1 ||
  fail "kqlgate deploy into the Kusto emulator failed (deploy.log below)"

# The row LowStock must return: tenant-bound (the key's tid claim), at or below the threshold.
ingest='.ingest inline into table InventoryMovements <| container-check,mv-1,SKU-CHECK,WH-1,sale,-3,2,o-1,2026-12-06T08:00:00Z,m-1'
curl -sf -o "$work/ingest.json" "$kusto_url/v1/rest/mgmt" -H 'content-type: application/json' \
  -d "$(node -e 'console.log(JSON.stringify({ db: "analytics", csl: process.argv[1] }))' "$ingest")" ||
  fail "seeding InventoryMovements in the Kusto emulator failed: $(cat "$work/ingest.json" 2>/dev/null)"

buildah run --isolation chroot "$tools" -- \
  kqlgate token --new-api-key check --role supply-chain --claim tid=container-check >"$work/token.log" 2>&1 ||
  fail "kqlgate token --new-api-key failed (token.log below)"
api_key="$(grep -o 'kqg_check_[0-9a-f]*' "$work/token.log" | head -n 1)"
[ -n "$api_key" ] || fail "kqlgate token --new-api-key printed no key (token.log below)"
# The printed entry, under `keys:`, is what API_KEYS_FILE holds.
node -e '
  const text = require("node:fs").readFileSync(process.argv[1], "utf8");
  require("node:fs").writeFileSync(process.argv[2], "keys:\n" + text.slice(text.indexOf("  - id: check")));
' "$work/token.log" "$work/api-keys.yaml"
chmod 644 "$work/api-keys.yaml"

gateway_port="$(free_port)"
ingestion_port="$(free_port)"
common_env=(
  --env "KUSTO_CLUSTER_URL=$kusto_url"
  --env KUSTO_DATABASE=analytics
  --env LOG_FORMAT=json
)
step "KQLGATE_ROLE=gateway on 127.0.0.1:$gateway_port, KQLGATE_ROLE=ingestion on 127.0.0.1:$ingestion_port"
new_container
gateway="$container"
start_background gateway.log buildah run --isolation chroot --network host "${kql_mount[@]}" \
  --volume "$work/api-keys.yaml:/run/kqlgate/api-keys.yaml:ro" "${common_env[@]}" \
  --env KQLGATE_ROLE=gateway --env "PORT=$gateway_port" --env API_KEYS_FILE=/run/kqlgate/api-keys.yaml \
  "$gateway" -- kqlgate start
gateway_pgid="${process_groups[-1]}"
new_container
ingestion="$container"
start_background ingestion.log buildah run --isolation chroot --network host "${kql_mount[@]}" "${common_env[@]}" \
  --env KQLGATE_ROLE=ingestion --env "PORT=$ingestion_port" \
  --env "SERVICEBUS_CONNECTION_STRING=Endpoint=sb://127.0.0.1:$servicebus_port;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true" \
  "$ingestion" -- kqlgate start
ingestion_pgid="${process_groups[-1]}"

# ── 4. what a deployment would see ─────────────────────────────────────────────────────────────────────────────
wait_ready "http://127.0.0.1:$gateway_port/health/ready" "$gateway_pgid" "the gateway role"
step "gateway ready: $(cat "$work/ready.json")"
wait_ready "http://127.0.0.1:$ingestion_port/health/ready" "$ingestion_pgid" "the ingestion role"
step "ingestion ready: $(cat "$work/ready.json")"

status="$(curl -s -o "$work/answer.json" -w '%{http_code}' -H "X-API-Key: $api_key" \
  "http://127.0.0.1:$gateway_port/api/v1/functions/LowStock?threshold=5" || true)"
[ "$status" = "200" ] || fail "GET /api/v1/functions/LowStock answered $status: $(cat "$work/answer.json")"
node -e '
  const answer = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const rows = answer.data ?? [];
  const ok = rows.length === 1 && rows[0].Sku === "SKU-CHECK" && rows[0].Warehouse === "WH-1" && rows[0].OnHand === 2;
  if (!ok) {
    console.error("expected one row { Sku: SKU-CHECK, Warehouse: WH-1, OnHand: 2 }, got " + JSON.stringify(rows));
    process.exit(1);
  }
' "$work/answer.json" || fail "LowStock over REST did not return the seeded row"
step "GET /api/v1/functions/LowStock?threshold=5 → 200 $(head -c 300 "$work/answer.json")"

size="$(buildah images --format '{{.Size}}' "$IMAGE" | head -n 1)"
base_size="$(buildah images --format '{{.Size}}' "$BASE_IMAGE" | head -n 1)"
user="$(buildah inspect --type image --format '{{.OCIv1.Config.User}}' "$IMAGE")"
step "image $IMAGE: $size (base $BASE_IMAGE: $base_size), user $user"
echo "container-check: OK in $((SECONDS - started_at))s (base image $((base_done - started_at))s, image build $((image_done - base_done))s, run $((SECONDS - image_done))s)"
