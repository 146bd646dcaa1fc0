FROM python:3.12-slim
ARG PIP_INDEX_URL=https://pypi.org/simple
ENV APP_ENV=production \
    DB_PASSWORD=Sup3rS3cret! \
    LOG_LEVEL=info
USER 10001
