# The project's Airflow image: the official Apache Airflow image plus the locked dependencies
# and this repository's package, DAGs, dbt project and GX suites.
ARG AIRFLOW_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${AIRFLOW_IMAGE}

USER airflow
WORKDIR /opt/moc

# Dependencies first, so code changes do not reinstall them.
COPY --chown=airflow:0 requirements.lock /opt/moc/requirements.lock
RUN pip install --no-cache-dir uv==0.13.9 \
    && uv pip install --no-cache --python "$(command -v python)" -r /opt/moc/requirements.lock

COPY --chown=airflow:0 pyproject.toml README.md /opt/moc/
# The pipeline's packages, one per stage (README, "Where things live").
COPY --chown=airflow:0 common /opt/moc/common
COPY --chown=airflow:0 ingest /opt/moc/ingest
COPY --chown=airflow:0 transform /opt/moc/transform
COPY --chown=airflow:0 publish /opt/moc/publish
COPY --chown=airflow:0 orchestration /opt/moc/orchestration
COPY --chown=airflow:0 samples /opt/moc/samples
COPY --chown=airflow:0 dags /opt/moc/dags
COPY --chown=airflow:0 dbt_project /opt/moc/dbt_project
COPY --chown=airflow:0 expectations /opt/moc/expectations
COPY --chown=airflow:0 dashboard /opt/moc/dashboard
RUN uv pip install --no-cache --python "$(command -v python)" --no-deps -e /opt/moc

ENV AIRFLOW__CORE__DAGS_FOLDER=/opt/moc/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    GX_ANALYTICS_ENABLED=False
