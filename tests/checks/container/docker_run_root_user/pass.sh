#!/bin/sh
docker run -d --name web --user 10001:10001 -p 127.0.0.1:8080:8080 registry.example.com/web:2.3
docker run --rm nginx:1.27
