# The sibmodel app as a service: the wheel built from this repository, installed with the pinned versions of
# constraints.txt, served by the same `sibmodel app` command as on a desktop (see docs/deploy.md).
#
#   docker build -t sibmodel .
#   docker run --init --rm -p 8866:8866 sibmodel --allowed-hosts sib.kommune.dk
#
# Arguments after the image name are added to the command below (--allowed-hosts, --max-sessions, --base-url ...).
# `docker stop` sends SIGTERM: the app shuts every kernel down and exits 0.

FROM python:3.11-slim AS wheel
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir -c constraints.txt hatchling && pip wheel --no-deps --no-build-isolation -w /wheels .

FROM python:3.11-slim
COPY --from=wheel /wheels /wheels
COPY constraints.txt /tmp/constraints.txt
RUN pip install --no-cache-dir -c /tmp/constraints.txt /wheels/*.whl && rm -rf /wheels /tmp/constraints.txt \
    && useradd --create-home --uid 1000 sib
USER sib
WORKDIR /home/sib
EXPOSE 8866
STOPSIGNAL SIGTERM
# About 160-260 MiB per session and per pre-heated kernel: budget (max-sessions + pool-size) x 260 MiB.
ENTRYPOINT ["sibmodel", "app", "--host", "0.0.0.0", "--port", "8866"]
CMD ["--max-sessions", "20", "--pool-size", "1", "--cull-idle", "1800"]
