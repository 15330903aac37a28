# syntax=docker/dockerfile:1
# adgate ingestion gateway. Build: docker build -t adgate .  (or docker compose up --build)

# ---- build: compile TypeScript to dist/ -------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# ---- runtime: production dependencies + compiled output only ----------------
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
RUN chown node:node /app
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --chown=node:node --from=build /app/dist/src ./dist/src
COPY --chown=node:node migrations ./migrations
USER node
# 9464: ADGATE_METRICS_PORT, when set (deploy/kubernetes.yaml, docker-compose.yml)
EXPOSE 8080 9464
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# exec form: node receives SIGTERM directly (compose adds an init as PID 1)
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["serve"]
