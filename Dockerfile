# One image for web, worker and beat; the steps are bin/entrypoint's roles
# (see meldcode_survey/entrypoint.py), run the same way in CI.
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
# Production's static storage needs the manifest, which only DEBUG=false writes.
RUN bin/entrypoint collectstatic
# Export files (PRIVATE_MEDIA_ROOT): the volume mounted here takes this owner.
RUN mkdir -p /srv/meldcode/private && chown app:app /srv/meldcode/private
# deduce's lookup structures, built once per image (about 80 s), never on a request.
RUN DEBUG=true python manage.py build_screening
USER app
EXPOSE 8000
ENTRYPOINT ["bin/entrypoint"]
CMD ["web"]
