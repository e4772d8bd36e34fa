"""The baseline for bench/send.py: a bare Starlette endpoint committing one SQLite insert
per request (WAL, synchronous=FULL, like Postroom), served by uvicorn the same way."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

DATABASE: aiosqlite.Connection | None = None


async def insert(request: Request) -> Response:
    assert DATABASE is not None
    body = await request.body()
    cursor = await DATABASE.execute("INSERT INTO message (body) VALUES (?)", (body,))
    await DATABASE.commit()
    return JSONResponse({"ID": cursor.lastrowid})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    global DATABASE
    DATABASE = await aiosqlite.connect(sys.argv[1])
    await DATABASE.execute("PRAGMA journal_mode=WAL")
    await DATABASE.execute("PRAGMA synchronous=FULL")
    await DATABASE.execute("CREATE TABLE IF NOT EXISTS message (id INTEGER PRIMARY KEY, body BLOB)")
    await DATABASE.commit()
    yield
    await DATABASE.close()


app = Starlette(routes=[Route("/insert", insert, methods=["POST"])], lifespan=lifespan)

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
