#!/bin/sh
docker run --cap-drop ALL --cap-add NET_ADMIN -d --name vpn example/vpn:4.1
