FROM ubuntu:24.04
# The package is called sudo-ldap here only to show it is not the sudo command.
RUN apt-get update && apt-get install -y --no-install-recommends curl && echo pseudo-sudo
RUN useradd -m app
USER app
