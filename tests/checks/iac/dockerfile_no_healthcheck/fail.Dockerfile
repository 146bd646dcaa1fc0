FROM nginx:1.25 AS base
HEALTHCHECK CMD curl -f http://localhost/ || exit 1

FROM base
# Turns off the health check inherited from the base stage.
HEALTHCHECK NONE
