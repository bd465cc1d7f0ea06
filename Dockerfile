# Wegweiser: multi-stage build, catalogs compiled at build time, runs as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# The runtime lock first, in a layer of its own that stays cached until the lock changes:
# exact versions, each file checked against its sha256 hash (make lock writes it).
COPY requirements/runtime.txt ./requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/runtime.txt
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY knowledge ./knowledge
COPY translations ./translations
# Then the project alone, built with the locked setuptools: nothing unpinned is fetched.
RUN pip install --no-cache-dir --no-deps --no-build-isolation . \
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
# The shipped content's sentence vectors and built matcher indexes, made once here: a
# worker then starts in seconds instead of embedding every phrasing and building every
# language's index again (content imported later adds its own).
RUN wegweiser kb index
# PostgreSQL is migrated by a step of its own before the bot starts, `wegweiser db upgrade`
# (docker-compose.yml: the one-off migrate service), never by each worker at its start.
CMD ["wegweiser", "run"]
