FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home app
WORKDIR /app
COPY pyproject.toml README.md ./
COPY meldcode_survey ./meldcode_survey
RUN pip install --no-cache-dir .
COPY . .
RUN DEBUG=true python manage.py collectstatic --noinput
RUN DEBUG=true python manage.py build_screening
USER app
EXPOSE 8000
CMD ["gunicorn", "meldcode_survey.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
