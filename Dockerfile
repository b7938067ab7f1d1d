# syntax=docker/dockerfile:1
# Multi-stage build: a static binary (pure-Go SQLite, no cgo) in a
# distroless image, running as a non-root user, its data directory a volume.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/cognitod ./cmd/cognitod \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cognitod /usr/local/bin/cognitod
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME ["/data"]
ENV COGNITOD_LISTEN=0.0.0.0:9230 \
    COGNITOD_STORE=sqlite:/data/cognitod.db \
    COGNITOD_DATA_DIR=/data
EXPOSE 9230
ENTRYPOINT ["/usr/local/bin/cognitod"]
