#!/usr/bin/env python3
"""Another language's AMQP client (pika) on syncorm's message format (README, "RabbitMQ").

  amqp_interop.py read URL QUEUE COUNT
      takes COUNT messages from QUEUE (acknowledging them) and prints one JSON object per message:
      body, content_type, delivery_mode, message_id, type, routing_key, and the headers with the
      types pika decoded them to (position must come out as an int).
  amqp_interop.py publish URL EXCHANGE TOPIC AGGREGATEID POSITION SOURCE MESSAGE_ID TYPE BODY
      publishes one event in the documented format, persistent, with publisher confirms.
"""
import json
import sys
import time

import pika


def read(url, queue, count):
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    deadline = time.monotonic() + 30
    taken = 0
    while taken < count:
        method, properties, body = channel.basic_get(queue=queue, auto_ack=False)
        if method is None:
            if time.monotonic() > deadline:
                sys.exit(f"only {taken} of {count} messages arrived in queue {queue}")
            time.sleep(0.05)
            continue
        headers = properties.headers or {}
        print(json.dumps({
            "body": body.decode("utf-8"),
            "content_type": properties.content_type,
            "delivery_mode": properties.delivery_mode,
            "message_id": properties.message_id,
            "type": properties.type,
            "routing_key": method.routing_key,
            "headers": {key: (value.decode("utf-8") if isinstance(value, bytes) else value) for key, value in headers.items()},
            "position_is_int": isinstance(headers.get("position"), int),
        }, sort_keys=True))
        channel.basic_ack(method.delivery_tag)
        taken += 1
    connection.close()


def publish(url, exchange, topic, aggregate_id, position, source, message_id, kind, body):
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.confirm_delivery()
    channel.basic_publish(
        exchange=exchange,
        routing_key=topic,
        body=body.encode("utf-8"),
        properties=pika.BasicProperties(
            content_type="application/json",
            delivery_mode=2,
            message_id=message_id,
            type=kind,
            headers={"aggregatetype": topic, "aggregateid": aggregate_id, "position": int(position), "source": source},
        ),
        mandatory=True,
    )
    connection.close()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "read":
        read(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 11 and sys.argv[1] == "publish":
        publish(*sys.argv[2:])
    else:
        sys.exit(__doc__)
