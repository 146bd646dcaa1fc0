FROM alpine:3.20
ADD ./config /etc/app/
ADD https://example.com/releases/tool-1.2.tar.gz /tmp/
USER 10001
