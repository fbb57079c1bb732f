# syntax=docker/dockerfile:1
#
# Vigie: one static binary (the default rules embedded) on a minimal,
# non-root image.
#
#   docker build -t vigie .
#   docker run -d --name vigie -p 8080:8080 -v vigie-data:/var/lib/vigie \
#     -e VIGIE_API_TOKEN_HASHES="$(vigie api hash-token < api-token.txt)" \
#     -e VIGIE_DISCORD_TOKEN_FILE=/run/secrets/discord-token \
#     vigie
#
# The image listens on 0.0.0.0:8080 (VIGIE_LISTEN), which Vigie only
# accepts with API tokens configured (VIGIE_API_TOKEN_HASHES or
# VIGIE_API_TOKENS_FILE): without them it refuses to start and says so.
# For a loopback-only API in the container, set VIGIE_LISTEN=127.0.0.1:8080.
# The build flags live in deploy/build.sh, which .ci/dockerfile-check.sh
# also runs.

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN sh deploy/build.sh /out/vigie && mkdir -p /out/state

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/vigie /usr/local/bin/vigie
COPY --from=build --chown=65532:65532 /out/state /var/lib/vigie
ENV VIGIE_LISTEN=0.0.0.0:8080 \
    VIGIE_STORE=/var/lib/vigie/vigie.db \
    VIGIE_LOG_FORMAT=json
WORKDIR /var/lib/vigie
VOLUME ["/var/lib/vigie"]
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/vigie", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/vigie"]
CMD ["run"]
