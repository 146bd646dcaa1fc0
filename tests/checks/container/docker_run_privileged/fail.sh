#!/bin/sh
docker run --privileged -d --name vpn example/vpn:4.1
