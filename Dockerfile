# Wegweiser: multi-stage build, catalogs compiled at build time, runs as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY knowledge ./knowledge
COPY translations ./translations
RUN pip install --no-cache-dir . \
 && pybabel compile -d translations -D messages \
 && pybabel compile -d translations -D admin -l de

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 wegweiser
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=wegweiser /src/translations /app/translations
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1
USER wegweiser
# PostgreSQL in production: run `wegweiser db upgrade` once per release before starting.
CMD ["wegweiser", "run"]
