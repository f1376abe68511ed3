# touchstone as a container image: the CLI is the entrypoint.
#
#   docker build -t touchstone .
#   docker run --rm --network host touchstone probe --emulate reference
#   docker run --rm --network host -e OPENAI_API_KEY -v "$PWD:/work" touchstone \
#       probe https://api.openai.com/v1 --model gpt-4o-mini --api-key-env OPENAI_API_KEY --junit /work/junit.xml
#
# Build stage: a Swift toolchain on Debian 12 builds one self-contained binary (static Swift
# standard library and Foundation, built-in suites compiled in).
ARG SWIFT_IMAGE=swift:6.1-bookworm
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4-openssl-dev libxml2-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN swift build -c release --static-swift-stdlib --product touchstone \
 && install -m 0755 .build/release/touchstone /usr/local/bin/touchstone \
 && touchstone --version

# Runtime stage: Debian 12 slim with only the C libraries the binary links.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4 libxml2 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/touchstone /usr/local/bin/touchstone
# Reports are written where the caller mounts a volume.
WORKDIR /work
USER 65532:65532
ENTRYPOINT ["touchstone"]
CMD ["--help"]
