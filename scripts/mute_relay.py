#!/usr/bin/env python3
"""A relay that never answers OK, or that drops some kinds, for tests.

Stands in front of a real relay and passes every message both ways, except
the relay's `["OK", ...]` replies, which it swallows: events still reach the
real relay (and its subscribers), but the publisher never learns that they
were accepted and waits for its own timeout. Uses the `websockets` package
from the test venv.

With `--drop-kinds LOW-HIGH --pass-ok`, it is instead a relay that takes
events of those kinds (answers OK) and never passes them on, as a relay
without ephemeral events (20000-29999) may do; everything else passes.

    scripts/mute_relay.py --port 7448 --upstream ws://127.0.0.1:7447
    scripts/mute_relay.py --port 7448 --upstream ws://127.0.0.1:7447 --pass-ok --drop-kinds 20000-29999
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


def dropped_event_id(message, kinds):
    """The id of an EVENT whose kind is in `kinds`, else None."""
    if kinds is None:
        return None
    try:
        verb, event = json.loads(message)[:2]
        if verb == "EVENT" and kinds[0] <= event["kind"] <= kinds[1]:
            return event["id"]
    except (ValueError, IndexError, KeyError, TypeError):
        pass
    return None


async def serve(port, upstream, pass_ok=False, drop_kinds=None):
    async def handle(client):
        async with websockets.connect(upstream, max_size=None) as relay:
            async def up():
                async for message in client:
                    dropped = dropped_event_id(message, drop_kinds)
                    if dropped is not None:
                        await client.send(json.dumps(["OK", dropped, True, ""]))
                    else:
                        await relay.send(message)

            async def down():
                async for message in relay:
                    if pass_ok or not is_ok(message):
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
    parser.add_argument("--pass-ok", action="store_true", help="pass the relay's OK replies on")
    parser.add_argument("--drop-kinds", help="LOW-HIGH: take EVENTs of these kinds and never forward them")
    args = parser.parse_args()
    kinds = tuple(int(k) for k in args.drop_kinds.split("-")) if args.drop_kinds else None
    asyncio.run(serve(args.port, args.upstream, args.pass_ok, kinds))


if __name__ == "__main__":
    main()
