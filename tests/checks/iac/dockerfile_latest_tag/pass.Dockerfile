ARG NODE_VERSION=20.11
FROM node:${NODE_VERSION}-alpine AS build
RUN npm ci && npm run build

FROM registry.example.com:5000/nginx:1.25.4
COPY --from=build /src/dist /usr/share/nginx/html

FROM scratch AS export
COPY --from=build /src/dist /

FROM nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31
