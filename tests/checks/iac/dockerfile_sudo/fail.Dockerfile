FROM ubuntu:24.04
RUN useradd -m app
USER app
RUN echo "installing" && \
    sudo apt-get update && sudo apt-get install -y curl
