FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.9
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project --python /usr/local/bin/python3.11
ENV PATH="/app/.venv/bin:$PATH" DJANGO_SETTINGS_MODULE=flexportal.settings PYTHONUNBUFFERED=1
COPY . .
# Settings need a database URL and a key to import; nothing connects during the build.
ENV BUILD_ENV="SECRET_KEY=build-only-build-only-build-only-build-only-build-only DATABASE_URL=postgres://build@localhost/build"
RUN env $BUILD_ENV python manage.py collectstatic --noinput \
    && env $BUILD_ENV python manage.py compilemessages --ignore=.venv \
    && mkdir -p /app/.local/media && chown -R nobody /app/.local
USER nobody
EXPOSE 8000
