FROM alpine:3.20
ADD ./config /etc/app/
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/releases/tool-1.2.tar.gz /tmp/
COPY app /usr/local/bin/app
USER 10001
