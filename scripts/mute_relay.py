#!/usr/bin/env python3
"""A relay that never answers OK, for tests.

Stands in front of a real relay and passes every message both ways, except
the relay's `["OK", ...]` replies, which it swallows: events still reach the
real relay (and its subscribers), but the publisher never learns that they
were accepted and waits for its own timeout. Uses the `websockets` package
from the test venv.

    scripts/mute_relay.py --port 7448 --upstream ws://127.0.0.1:7447
"""

import argparse
import asyncio
import json

import websockets


def is_ok(message):
    try:
        return json.loads(message)[0] == "OK"
    except (ValueError, IndexError, KeyError, TypeError):
        return False


async def serve(port, upstream):
    async def handle(client):
        async with websockets.connect(upstream, max_size=None) as relay:
            async def up():
                async for message in client:
                    await relay.send(message)

            async def down():
                async for message in relay:
                    if not is_ok(message):
                        await client.send(message)

            tasks = [asyncio.create_task(up()), asyncio.create_task(down())]
            _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()

    async with websockets.serve(handle, "127.0.0.1", port, max_size=None):
        await asyncio.Future()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="the real relay, ws://host:port")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.upstream))


if __name__ == "__main__":
    main()
