FROM golang:1.22 AS build
USER builder
RUN go build -o /app ./...

FROM debian:12-slim
COPY --from=build /app /app
USER app
RUN apt-get update
USER root
CMD ["/app"]
