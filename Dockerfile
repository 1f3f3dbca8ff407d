# Production image: gunicorn serving the platform, static files by whitenoise, media on a volume.
# The same image runs the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/var/lib/livret/media \
    WEB_CONCURRENCY=3 \
    XDG_CACHE_HOME=/tmp/cache

# WeasyPrint's system libraries and a font for the PDFs; gettext is not needed (the .mo is committed).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 livret \
    && useradd --system --uid 1000 --gid livret --home-dir /app --shell /usr/sbin/nologin livret

WORKDIR /app

# Dependencies first so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
# The build-time key only lets settings load for collectstatic; it is never used at run time.
RUN SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --no-input \
    && mkdir -p "$MEDIA_ROOT" \
    && chown -R livret:livret "$MEDIA_ROOT"

USER livret

EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "60", \
     "--access-logfile", "-"]
