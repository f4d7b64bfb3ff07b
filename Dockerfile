FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY newsroom ./newsroom
COPY articles ./articles
RUN pip install --no-cache-dir .

COPY . .
# collectstatic needs settings, not secrets: a build-time key that never reaches a container.
RUN SECRET_KEY=build-only python manage.py collectstatic --no-input \
    && useradd --system --home /app newsroom && mkdir -p /app/media && chown newsroom /app/media
USER newsroom

EXPOSE 8000
# The app only serves: migrations run once per deploy, before any app container starts
# (`python manage.py migrate --no-input`, the `migrate` service in docker-compose.yml).
CMD ["sh", "-c", "exec gunicorn newsroom.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
