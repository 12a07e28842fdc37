# qwen-edge in a container: built on Debian 12 with the project's own scripts, run from Debian 12
# slim as an unprivileged user, serving the web chat and the API on port 8080.
#
#   docker build -t qwen-edge .
#   docker run -p 8080:8080 -v qwen-edge-models:/models qwen-edge
#
# The first start serves at once and downloads the default model into the /models volume, with
# its progress in the web page (QWEN_EDGE_QUANT picks another quantization, pulled before the
# server starts). To bake a model into the image:
#   docker build --build-arg MODEL_QUANT=q8_0 -t qwen-edge:q8_0 .
# See docs/DEPLOY.md. Not run here: the machines this was written on have no Docker engine.

ARG DEBIAN_RELEASE=bookworm

# --- web: the chat page, built with Node.js 20 (Debian 12's Node.js 18 is too old for Vite) ---
FROM node:20-${DEBIAN_RELEASE}-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

# --- build: the same setup and build scripts as on a developer's machine, without the tests ---
FROM debian:${DEBIAN_RELEASE} AS build
WORKDIR /src
COPY . .
# The build embeds web/dist into the binary.
COPY --from=web /src/web/dist web/dist
RUN scripts/setup.sh \
    && scripts/build.sh release -DQE_BUILD_TESTS=OFF \
    && scripts/runtime-packages.sh build/bin/qwen-edge > /runtime-packages \
    && install -D -m 0755 build/bin/qwen-edge /out/qwen-edge

# --- runtime: only the shared libraries the program loads, and CA certificates for pull ---
FROM debian:${DEBIAN_RELEASE}-slim AS runtime
COPY --from=build /runtime-packages /tmp/runtime-packages
# hadolint ignore=DL3008
RUN apt-get update \
    && xargs -a /tmp/runtime-packages apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
    && useradd --system --uid 10001 --user-group --home-dir /nonexistent \
        --shell /usr/sbin/nologin qwen-edge \
    && install -d -o qwen-edge -g qwen-edge -m 0755 /models
COPY --from=build /out/qwen-edge /usr/local/bin/qwen-edge
COPY deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint
ENV QWEN_EDGE_MODELS=/models

# --- model: empty unless MODEL_QUANT is given (then that official file is baked in) ---
FROM runtime AS model
ARG MODEL_QUANT=""
ARG HF_ENDPOINT=""
USER qwen-edge
RUN if [ -n "$MODEL_QUANT" ]; then qwen-edge pull --quiet --quant "$MODEL_QUANT"; fi

FROM runtime
COPY --from=model --chown=qwen-edge:qwen-edge /models /models
USER qwen-edge
VOLUME ["/models"]
EXPOSE 8080
# /health answers 200 once the model is loaded (503 with the progress while a first start
# downloads it); the start period covers that download.
HEALTHCHECK --interval=30s --timeout=5s --start-period=600s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && read -r status <&3 && [[ $status == *' 200 '* ]]"]
ENTRYPOINT ["docker-entrypoint"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
