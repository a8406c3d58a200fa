# syntax=docker/dockerfile:1
# wecom-oidc as a container image: build with the dev dependencies (TypeScript), run with the
# production ones only, as an unprivileged user, on a read-only root file system; the state (the
# embedded store, or nothing with PostgreSQL) lives on a volume at /var/lib/wecom-oidc.
#
#   docker build -t wecom-oidc .
#   docker run --read-only -v wecom-oidc-data:/var/lib/wecom-oidc \
#     -v ./config.json:/etc/wecom-oidc/config.json:ro -e WECOM_SECRET -p 3000:3000 wecom-oidc
#
# test/production/container-steps.test.ts runs these same steps without a container engine.
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production \
    WECOM_OIDC_CONFIG=/etc/wecom-oidc/config.json \
    HEALTHCHECK_URL=http://127.0.0.1:3000/healthz
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY config/default.json ./config/default.json
# The image's own user "node" (uid 1000); the store's directory is the only writable place it needs.
RUN mkdir -p /var/lib/wecom-oidc && chown node:node /var/lib/wecom-oidc
USER node
VOLUME ["/var/lib/wecom-oidc"]
EXPOSE 3000
# /healthz answers while the process serves; set HEALTHCHECK_URL if "listen.port" is not 3000.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.HEALTHCHECK_URL).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself (drain, then close the store); SIGHUP reloads.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/bin.js"]
