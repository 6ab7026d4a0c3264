# One image for web (gunicorn), worker (celery worker) and beat (celery beat).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data \
    STATIC_ROOT=/app/staticfiles

# The permission letters: WeasyPrint lays them out with Pango, in the Noto fonts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system portal \
    && useradd --system --gid portal --home-dir /app --shell /usr/sbin/nologin portal

WORKDIR /app

COPY . .
RUN pip install -c requirements/constraints.txt .
# The Urdu catalogue, compiled as `make` does.
RUN pybabel compile -d locale -D django

# collectstatic needs settings that load; these throw-away values are not used at run time.
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-real-secret-0123456789abcdef \
    AUDIT_KEY=collectstatic-only-not-a-real-audit-key-0123456789 \
    ALLOWED_HOSTS=localhost DATA_DIR=/tmp/build \
    python manage.py collectstatic --noinput \
    && mkdir -p /data && chown portal:portal /data

USER portal
EXPOSE 8000

CMD ["gunicorn", "conduct_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
