#!/bin/sh
docker run -d --network backend --name collector example/collector:2
