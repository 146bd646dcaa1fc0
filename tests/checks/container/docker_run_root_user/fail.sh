#!/bin/sh
set -e
docker run -d --name backup --user=root \
  -v /srv/data:/data alpine:3.20 tar czf /data/backup.tgz /data
