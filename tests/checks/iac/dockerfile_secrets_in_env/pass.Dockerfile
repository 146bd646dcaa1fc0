FROM python:3.12-slim
ARG GITHUB_TOKEN
ENV DB_PASSWORD_FILE=/run/secrets/db_password \
    API_KEY=${API_KEY} \
    SSH_PUBLIC_KEY="ssh-ed25519 AAAAC3Nza example"
RUN --mount=type=secret,id=token pip install -r requirements.txt
USER 10001
