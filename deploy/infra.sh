#!/usr/bin/env bash
# Starts, stops and reports the local infrastructure: the Kafka broker (KRaft) and the project's
# Redis, for one instance (RESILIENCE_INSTANCE=dev|test, see settings.sh). `start` also creates
# the project's topics when tools/create_topics has been built. Usage: infra.sh start|stop|status
# Safe to run twice.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/settings.sh"

case "${1:-}" in
  start)
    "$here/kafka/kafka.sh" start
    "$here/redis/redis.sh" start
    if [ -x "$RESILIENCE_BUILD_DIR/tools/create_topics" ]; then
      "$RESILIENCE_BUILD_DIR/tools/create_topics" --bootstrap="$KAFKA_BOOTSTRAP" \
        --topics="$here/topics.textproto"
    fi
    ;;
  stop)
    status=0
    "$here/redis/redis.sh" stop || status=1
    "$here/kafka/kafka.sh" stop || status=1
    exit $status
    ;;
  status)
    status=0
    "$here/kafka/kafka.sh" status || status=1
    "$here/redis/redis.sh" status || status=1
    exit $status
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
