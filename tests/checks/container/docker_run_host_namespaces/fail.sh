#!/bin/sh
# collector needs the host's network and processes
docker run -d --network host --pid=host --name collector example/collector:2
