# syntax=docker/dockerfile:1
# Siskin image: both executables, `siskin` (the aggregator, `siskin serve`) and
# `siskin-agent` (the per-pod sidecar). One image for both keeps a single tag to
# roll; the agent container simply runs `siskin-agent`.
#
#   docker build -t siskin:dev .                              # both executables
#   docker build --target agent -t siskin-agent:dev .         # the agent alone
#
# Sizes (docs/deploy.md, Image size): ~180 MB uncompressed, ~67 MB to pull;
# the agent-only image ~105 MB and ~39 MB.
#
# Build stage: the Swift 6.3 toolchain on Debian 12. It must be the bookworm
# variant, not the default (Ubuntu) tag: the binaries link the system glibc,
# libcurl and zlib dynamically, so they are built against the same Debian
# release as the runtime stage below.
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4-openssl-dev zlib1g-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a source change does not refetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
# --static-swift-stdlib: the Swift runtime and Foundation are linked in, so
# the runtime image needs no Swift toolchain, only libcurl, zlib and libc.
RUN swift build -c release --static-swift-stdlib --product siskin \
 && swift build -c release --static-swift-stdlib --product siskin-agent \
 && mkdir -p /out \
 && cp "$(swift build -c release --static-swift-stdlib --show-bin-path)/siskin" \
       "$(swift build -c release --static-swift-stdlib --show-bin-path)/siskin-agent" /out/ \
 && strip /out/siskin /out/siskin-agent

# Runtime base: libcurl (the agent's scrape and push; `siskin` links the agent
# library for its log format), zlib, CA certificates, and a non-root user.
FROM ${RUNTIME_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4 zlib1g ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 65532 siskin \
 && useradd --system --uid 65532 --gid 65532 --home-dir /var/lib/siskin --no-create-home \
      --shell /usr/sbin/nologin siskin \
 && install -d -o 65532 -g 65532 /var/lib/siskin
# Numeric, so Kubernetes' runAsNonRoot can verify it without /etc/passwd.
USER 65532:65532
WORKDIR /var/lib/siskin

# Optional agent-only image (`docker build --target agent`): ~60 MB less to
# pull on nodes that run only workloads. Point the agent's image at it.
FROM runtime AS agent
COPY --from=build /out/siskin-agent /usr/local/bin/
ENTRYPOINT ["siskin-agent"]
CMD ["run"]

# The default image: both executables.
FROM runtime
COPY --from=build /out/siskin /out/siskin-agent /usr/local/bin/
EXPOSE 9090 6443
ENTRYPOINT ["siskin"]
CMD ["serve", "--data-dir", "/var/lib/siskin"]
