# Both stages must use the same interpreter path: the venv is copied across.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS deps
# Bytecode is compiled once here so the non-root runtime never needs to write it;
# no uv cache because the venv is all that leaves this stage.
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir --disable-pip-version-check uv==0.13.8
WORKDIR /app
# Only the lock inputs, so code changes don't invalidate the dependency layer.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

FROM ${PYTHON_IMAGE}
# gunicorn reads WEB_CONCURRENCY: 3 workers x 2 threads suits a 2-core host; override per host.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    WEB_CONCURRENCY=3
# tesseract reads the scanned pages of archive documents (German).
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-deu \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 app
COPY --from=deps /opt/venv /opt/venv
WORKDIR /app
COPY . .
# Static files are baked in (whitenoise's manifest must exist before start); the
# throwaway env only satisfies the production settings checks. var/ belongs to app
# so uploads (and named volumes mounted on var/media, which copy this ownership) work.
RUN SECRET_KEY=build ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown app:app var var/media
USER app

EXPOSE 8000
# Host header from ALLOWED_HOSTS and X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER) so the
# probe passes host validation and isn't redirected to https like a direct request would be.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as r; \
h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); \
req = r.Request('http://127.0.0.1:8000/healthz/', headers={'Host': h if h not in ('', '*') else 'localhost', 'X-Forwarded-Proto': 'https'}); \
sys.exit(r.urlopen(req, timeout=4).status != 200)"]
# /dev/shm for worker heartbeats: overlayfs-backed /tmp can stall them.
CMD ["gunicorn", "barleben_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--threads", "2", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
