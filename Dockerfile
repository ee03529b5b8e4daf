# BrandGuard: one image for the daemon (`run`), the console (`serve`) and the one-shot `db migrate`.
# Build: docker build -t brandguard .      Run: see compose.yaml and docs/deployment.md
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md CHANGELOG.md ./
COPY monitor monitor
COPY rules rules
COPY models models
COPY alerts alerts
# Wheels for the package and every dependency, so the runtime stage needs no compiler and no cache.
RUN pip wheel --no-cache-dir --wheel-dir /wheels '.[postgres,fast]'

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links=/wheels 'brandguard[postgres,fast]' \
    && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /var/lib/brandguard --create-home --shell /usr/sbin/nologin brandguard
# Non-root; the data directory holds the audit anchor file and the console's session key.
USER brandguard
WORKDIR /var/lib/brandguard
VOLUME ["/var/lib/brandguard"]
# Channel secrets and BRANDGUARD_DATABASE_URL come from the environment, the config from a mount.
ENTRYPOINT ["brandguard", "--config", "/etc/brandguard/brandguard.toml", "--data-dir", "/var/lib/brandguard"]
CMD ["run", "--no-web"]
