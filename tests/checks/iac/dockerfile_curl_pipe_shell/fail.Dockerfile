FROM debian:12-slim
RUN apt-get update && apt-get install -y curl
RUN <<EOS
set -e
curl -fsSL https://get.example.com/install.sh | bash -s -- --yes
EOS
USER 10001
