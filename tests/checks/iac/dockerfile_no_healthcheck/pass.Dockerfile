FROM python:3.12-slim
COPY . /app
HEALTHCHECK --interval=30s --timeout=3s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
USER 10001
CMD ["python", "-m", "app"]
