# syntax=docker/dockerfile:1
ARG BASE=node
FROM ${BASE} AS deps
RUN npm ci

FROM deps AS build
RUN npm run build

FROM nginx:latest
COPY --from=build /src/dist /usr/share/nginx/html
