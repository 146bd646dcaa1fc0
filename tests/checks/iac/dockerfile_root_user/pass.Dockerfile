FROM golang:1.22 AS build
RUN go build -o /app ./...

FROM debian:12-slim AS runtime
RUN useradd --system --uid 10001 app
USER 10001:10001

# The final stage inherits the user of the stage it builds on.
FROM runtime
COPY --from=build /app /app
CMD ["/app"]
