import { describe } from 'vitest';
import { ruleCaseTests, type RuleCase } from './helpers.js';

const RULE = 'no-loop-per-call';

const invalid: RuleCase[] = [
  {
    name: 'asyncio.run in a function',
    code: `
import asyncio
def fetch_user(user_id):
    return asyncio.run(get_user(user_id))  # expect: loopPerCall
`,
  },
  {
    name: 'run imported from asyncio',
    code: `
from asyncio import run
def refresh():
    run(reload_cache())  # expect: loopPerCall
`,
  },
  {
    name: 'asyncio imported under another name',
    code: `
import asyncio as aio
class Repo:
    def count(self):
        return aio.run(self.acount())  # expect: loopPerCall
`,
  },
  {
    name: 'inside a lambda handed to an Rx subscription (seed 004)',
    code: `
import asyncio
class Reconciler:
    async def subscribe_async(self):
        observable = await self.store.observe_async("orders")
        self.subscription = AsyncRx.subscribe(observable, lambda e: asyncio.run(self.on_next_async(e)))  # expect: loopPerCall
    async def on_next_async(self, e):
        pass
`,
  },
  {
    name: 'inside a signal handler lambda at module scope',
    code: `
import asyncio, signal
signal.signal(signal.SIGTERM, lambda *_: asyncio.run(shutdown()))  # expect: loopPerCall
`,
  },
  {
    name: 'inside a done callback',
    code: `
import asyncio
def watch(fut):
    fut.add_done_callback(lambda f: asyncio.run(record(f)))  # expect: loopPerCall
`,
  },
  {
    name: 'new_event_loop plus run_until_complete in a method',
    code: `
import asyncio
class Client:
    def get(self, key):
        loop = asyncio.new_event_loop()  # expect: newLoopPerCall
        try:
            return loop.run_until_complete(self.aget(key))
        finally:
            loop.close()
`,
  },
  {
    name: 'set_event_loop(new_event_loop()) then get_event_loop().run_until_complete',
    code: `
import asyncio
def sync_call(coro):
    asyncio.set_event_loop(asyncio.new_event_loop())  # expect: newLoopPerCall
    return asyncio.get_event_loop().run_until_complete(coro)
`,
  },
  {
    name: 'anyio.run in a function',
    code: `
import anyio
def load(path):
    return anyio.run(read_file, path)  # expect: loopPerCall
`,
  },
  {
    name: 'trio.run in a function',
    code: `
import trio
def ping(host):
    return trio.run(aping, host)  # expect: loopPerCall
`,
  },
  {
    name: 'asyncio.Runner per call',
    code: `
import asyncio
def convert(doc):
    with asyncio.Runner() as runner:  # expect: loopPerCall
        return runner.run(aconvert(doc))
`,
  },
  {
    name: 'asyncio.run inside a coroutine',
    code: `
import asyncio
async def handler(request):
    return asyncio.run(render(request))  # expect: loopInCoroutine
`,
  },
  {
    name: 'httpx.AsyncClient in async with, per call',
    code: `
import httpx
async def fetch_user(user_id):
    async with httpx.AsyncClient() as client:  # expect: clientPerCall
        return (await client.get(f"/users/{user_id}")).json()
`,
  },
  {
    name: 'requests.Session in with, per call',
    code: `
import requests
def download(url):
    with requests.Session() as session:  # expect: clientPerCall
        return session.get(url).content
`,
  },
  {
    name: 'aiohttp.ClientSession closed in finally',
    code: `
import aiohttp
async def post_event(event):
    session = aiohttp.ClientSession()  # expect: clientPerCall
    try:
        await session.post("/events", json=event)
    finally:
        await session.close()
`,
  },
  {
    name: 'httpx.Client closed at the end',
    code: `
from httpx import Client
def status(url):
    client = Client(timeout=5)  # expect: clientPerCall
    code = client.get(url).status_code
    client.close()
    return code
`,
  },
  {
    name: 'aiohttp session in a nested function',
    code: `
import aiohttp
def make_fetcher(base):
    async def fetch(path):
        async with aiohttp.ClientSession(base) as session:  # expect: clientPerCall
            return await session.get(path)
    return fetch
`,
  },
  {
    name: "the seeds' old _run_async: a pool per call running asyncio.run",
    code: `
import asyncio
import concurrent.futures
def _run_async(coro, timeout=30):
    with concurrent.futures.ThreadPoolExecutor() as pool:  # expect: executorPerCall
        return pool.submit(asyncio.run, asyncio.wait_for(coro, timeout)).result()
`,
  },
  {
    name: 'a pool built and used inline',
    code: `
from concurrent.futures import ThreadPoolExecutor
def schedule(job):
    return ThreadPoolExecutor().submit(job)  # expect: executorPerCall
`,
  },
  {
    name: 'a pool held in a local, never shut down',
    code: `
from concurrent.futures import ThreadPoolExecutor
def schedule(job):
    executor = ThreadPoolExecutor(max_workers=2)  # expect: executorPerCall
    return executor.submit(job).result()
`,
  },
  {
    name: 'a process pool for run_in_executor in a coroutine',
    code: `
import asyncio
from concurrent.futures import ProcessPoolExecutor
async def resize(image):
    pool = ProcessPoolExecutor()  # expect: executorPerCall
    return await asyncio.get_running_loop().run_in_executor(pool, shrink, image)
`,
  },
  {
    name: 'asyncio.run in a Flask view (runs per request)',
    code: `
import asyncio
from flask import Flask
app = Flask(__name__)
@app.route("/users/<id>")
def user(id):
    return asyncio.run(load_user(id))  # expect: loopPerCall
`,
  },
  {
    name: 'a thread with its own loop started per call',
    code: `
import asyncio, threading
def notify(event):
    threading.Thread(target=lambda: asyncio.run(send(event))).start()  # expect: loopPerCall
`,
  },
  {
    name: 'additionalResources names a resource to build once',
    code: `
import graphlib_client
def query(q):
    client = graphlib_client.Client()  # expect: resourcePerCall
    return client.run(q)
`,
    options: { additionalResources: ['graphlib_client#Client'] },
  },
  {
    name: 'uvloop.run in a function',
    code: `
import uvloop
def serve_once(handler):
    uvloop.run(handler())  # expect: loopPerCall
`,
  },
  {
    name: 'asyncpg pool opened and closed per call',
    code: `
import asyncpg
async def count_users(dsn):
    pool = await asyncpg.create_pool(dsn)  # expect: clientPerCall
    try:
        return await pool.fetchval("select count(*) from users")
    finally:
        await pool.close()
`,
  },
  {
    name: 'asyncio.run in a static method',
    code: `
import asyncio
class Tools:
    @staticmethod
    def sync_fetch(url):
        return asyncio.run(fetch(url))  # expect: loopPerCall
`,
  },
  {
    name: 'two loops in one function',
    code: `
import asyncio
def migrate():
    asyncio.run(step_one())  # expect: loopPerCall
    asyncio.run(step_two())  # expect: loopPerCall
`,
  },
  {
    name: 'a public function called from the main block but also importable',
    code: `
import asyncio
def sync_users():
    asyncio.run(fetch_all())  # expect: loopPerCall
def other():
    sync_users()
if __name__ == "__main__":
    sync_users()
`,
  },
  // What "runs once" does not cover (the generalisation round's own cases).
  {
    name: 'a thread target named as self._work, started per call: a loop per call',
    code: `
import asyncio, threading
class Fetcher:
    def fetch(self, key):
        worker = threading.Thread(target=self._work, args=(key,))
        worker.start()
        worker.join()
    def _work(self, key):
        asyncio.run(self.afetch(key))  # expect: loopPerCall
`,
  },
  {
    name: 'a nested function called in a loop of its outer function',
    code: `
import asyncio
def refresh_all(keys):
    def refresh(key):
        return asyncio.run(reload(key))  # expect: loopPerCall
    for key in keys:
        refresh(key)
`,
  },
  {
    name: 'a client of an optional import (try: import ... except ImportError: name = None)',
    code: `
try:
    import aiohttp
except ImportError:
    aiohttp = None
async def download(url):
    async with aiohttp.ClientSession() as session:  # expect: clientPerCall
        return await session.get(url)
`,
  },
  {
    name: 'a polling loop that ends is not a service: asyncio.run of it is per call',
    code: `
import asyncio
async def wait_ready(job):
    while True:
        if await job.ready():
            break
        await asyncio.sleep(1)
def block_until_ready(job):
    asyncio.run(wait_ready(job))  # expect: loopPerCall
`,
  },
  {
    name: 'a private method called from a public one that runs per call',
    code: `
import asyncio
class Store:
    def get(self, key):
        return self._load(key)
    def _load(self, key):
        return asyncio.run(self.aload(key))  # expect: loopPerCall
`,
  },
];

const valid: RuleCase[] = [
  { name: 'asyncio.run under __main__', code: `\nimport asyncio\nif __name__ == "__main__":\n    asyncio.run(main())\n` },
  { name: 'asyncio.run at module scope', code: `\nimport asyncio\nasyncio.run(main())\n` },
  { name: 'a main() entry function', code: `\nimport asyncio\ndef main():\n    asyncio.run(amain())\n` },
  { name: 'a private set-up function called once from __main__', code: `\nimport asyncio\ndef _cli():\n    asyncio.run(run())\nif __name__ == "__main__":\n    _cli()\n` },
  { name: 'a click command', code: `\nimport asyncio, click\n@click.command()\ndef sync():\n    asyncio.run(run_sync())\n` },
  { name: 'a typer command', code: `\nimport asyncio, typer\napp = typer.Typer()\n@app.command()\ndef archive(user_id: int):\n    asyncio.run(archive_calendar(user_id))\n` },
  { name: 'a test function', file: 'tests/test_fetch.py', code: `\nimport asyncio\ndef test_fetch():\n    assert asyncio.run(fetch()) == 1\n` },
  { name: 'a TestCase method', file: 'tests/test_repo.py', code: `\nimport asyncio, unittest\nclass TestRepo(unittest.TestCase):\n    def test_list(self):\n        asyncio.run(self.repo.alist())\n` },
  { name: 'a pytest fixture', code: `\nimport asyncio, pytest\n@pytest.fixture\ndef db():\n    loop = asyncio.new_event_loop()\n    yield loop.run_until_complete(connect())\n` },
  {
    name: "the seeds' runner: a new loop running forever on its own thread",
    code: `
import asyncio, threading
class AsyncRunner:
    def __init__(self):
        self._loop = None
        self._start_background_loop()
    def _start_background_loop(self):
        def run_loop():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            self._loop.run_forever()
        self._thread = threading.Thread(target=run_loop, daemon=True)
        self._thread.start()
`,
  },
  { name: 'a module-level loop', code: `\nimport asyncio\nLOOP = asyncio.new_event_loop()\ndef get(key):\n    return LOOP.run_until_complete(aget(key))\n` },
  {
    name: 'a loop built in __init__',
    code: `\nimport asyncio\nclass Bridge:\n    def __init__(self):\n        self.loop = asyncio.new_event_loop()\n    def call(self, coro):\n        return self.loop.run_until_complete(coro)\n`,
  },
  { name: 'a module-level client', code: `\nimport httpx\nclient = httpx.AsyncClient()\nasync def fetch(url):\n    return await client.get(url)\n` },
  {
    name: 'a client built in __init__',
    code: `\nimport httpx\nclass Api:\n    def __init__(self):\n        self.client = httpx.AsyncClient()\n    async def get(self, url):\n        return await self.client.get(url)\n`,
  },
  { name: 'a client factory that returns it', code: `\nimport httpx\ndef make_client(base_url):\n    client = httpx.AsyncClient(base_url=base_url)\n    return client\n` },
  {
    name: 'a lazily cached client',
    code: `
import httpx
_client = None
def get_client():
    global _client
    if _client is None:
        _client = httpx.Client()
    return _client
`,
  },
  { name: 'an lru_cache factory', code: `\nimport functools, httpx\n@functools.lru_cache(maxsize=None)\ndef get_client():\n    with httpx.Client() as c:\n        return c.get("/ping")\n` },
  {
    name: 'a with-scoped pool for a batch of sync work',
    code: `\nfrom concurrent.futures import ThreadPoolExecutor\ndef resize_all(images):\n    with ThreadPoolExecutor(max_workers=8) as pool:\n        return list(pool.map(resize, images))\n`,
  },
  {
    name: 'a pool kept on the instance',
    code: `\nfrom concurrent.futures import ThreadPoolExecutor\nclass Service:\n    def start(self):\n        self.pool = ThreadPoolExecutor()\n        return self.pool.submit(self.warm_up)\n`,
  },
  {
    name: 'a TaskGroup is not a resource',
    code: `\nimport asyncio\nasync def run_all(jobs):\n    async with asyncio.TaskGroup() as tg:\n        for job in jobs:\n            tg.create_task(job())\n`,
  },
  { name: 'a local function called run', code: `\ndef run(cmd):\n    return cmd\ndef build():\n    return run("make")\n` },
  { name: 'an unknown object with a run method', code: `\ndef go(engine):\n    return engine.run(task())\n` },
  { name: 'asyncio.run handed to an executor is not a call here', code: `\nimport asyncio\nRUN = asyncio.run\n` },
  {
    name: 'an async main that opens a client, started once',
    code: `
import asyncio, httpx
async def main():
    async with httpx.AsyncClient() as client:
        await client.get("/")
if __name__ == "__main__":
    asyncio.run(main())
`,
  },
  { name: 'a private set-up called once at module scope', code: `\nimport asyncio\ndef _migrate():\n    asyncio.run(apply_migrations())\n_migrate()\n` },
  {
    name: 'a loop thread started once per instance',
    code: `
import asyncio, threading
class Server:
    def __init__(self):
        self.thread = threading.Thread(target=lambda: asyncio.run(self.serve()), daemon=True)
        self.thread.start()
`,
  },
  {
    name: 'a session opened in __aenter__',
    code: `\nimport aiohttp\nclass Api:\n    async def __aenter__(self):\n        self.session = aiohttp.ClientSession()\n        return self\n    async def __aexit__(self, *exc):\n        await self.session.close()\n`,
  },
  { name: 'a new loop that runs forever', code: `\nimport asyncio\ndef start_loop():\n    loop = asyncio.new_event_loop()\n    loop.run_forever()\n` },
  {
    name: "aiohttp's run_app-style runner: a new loop whose whole life it owns",
    code: `\nimport asyncio\ndef run_application(app):\n    loop = asyncio.new_event_loop()\n    try:\n        loop.run_until_complete(app.serve())\n    finally:\n        loop.run_until_complete(loop.shutdown_asyncgens())\n        loop.close()\n`,
  },
  { name: "a server's run method", code: `\nimport asyncio\nclass Server:\n    def run(self, sockets=None):\n        return asyncio.run(self.serve(sockets=sockets))\n` },
  {
    name: "a loop made only when the thread has none, then kept as the thread's loop",
    code: `\nimport asyncio\ndef run_sync(coro):\n    try:\n        loop = asyncio.get_event_loop()\n    except RuntimeError:\n        loop = asyncio.new_event_loop()\n        asyncio.set_event_loop(loop)\n    return loop.run_until_complete(coro)\n`,
  },
  {
    name: 'a fallback loop behind a flag, kept as the thread loop',
    code: `\nimport asyncio\ndef run_sync(coro):\n    create = False\n    try:\n        loop = asyncio.get_event_loop()\n    except RuntimeError:\n        create = True\n    if create:\n        loop = asyncio.new_event_loop()\n        asyncio.set_event_loop(loop)\n    return loop.run_until_complete(coro)\n`,
  },
  { name: "a runner class's run method", code: `\nimport trio\nclass TrioRunner:\n    def run(self):\n        trio.run(self.main)\n` },
  { name: 'a conftest hook', file: 'tests/conftest.py', code: `\nimport asyncio\ndef pytest_sessionstart(session):\n    asyncio.run(create_schema())\n` },
  // The generalisation round: code that runs once, found by what it is rather than by its name.
  {
    name: "a loop thread's target named as self._serve: it runs its loop forever",
    code: `
import asyncio, threading
class Controller:
    def start(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve)
        self.thread.start()
    def _serve(self):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(self.create_server())
        self.loop.run_forever()
        self.loop.run_until_complete(self.server.wait_closed())
`,
  },
  {
    name: "a process's target, through functools.partial: the process's main",
    code: `
import asyncio, functools, multiprocessing
class WorkerProcess:
    def launch(self, config):
        self.process = multiprocessing.Process(target=functools.partial(self._child_main, config=config))
        self.process.start()
    @classmethod
    def _child_main(cls, config):
        asyncio.run(cls.serve(config))
`,
  },
  {
    name: "a click command's nested coroutine, run once by the command",
    code: `
import asyncio, aiohttp, click
@click.command()
def sync():
    async def main():
        async with aiohttp.TCPConnector(limit_per_host=16) as conn:
            await push_all(conn)
    asyncio.run(main())
`,
  },
  {
    name: 'a function the module calls once, at import time',
    code: `
import asyncio
def load_currencies():
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(fetch_currencies())
    finally:
        loop.close()
CURRENCIES = load_currencies()
`,
  },
  {
    name: "a program's main: it installs signal handlers",
    code: `
import asyncio, signal
def run(app_factory, argv):
    app = app_factory(argv)
    signal.signal(signal.SIGTERM, lambda *_: app.shutdown())
    asyncio.run(app.start())
`,
  },
  {
    name: 'asyncio.run of a server that serves until it is stopped: the program runs it once',
    code: `
import asyncio
async def serve_tcp(handler, port):
    server = await asyncio.start_server(handler, port=port)
    async with server:
        await server.serve_forever()
def start_tcp_server(handler, port=502):
    return asyncio.run(serve_tcp(handler, port))
`,
  },
  {
    name: 'asyncio.run of a client that reconnects until it is closed, through its own coroutines',
    code: `
import asyncio
class Bot:
    def run(self, token):
        async def runner():
            await self.start(token)
        asyncio.run(runner())
    async def start(self, token):
        await self.login(token)
        await self.connect()
    async def connect(self):
        while not self.is_closed():
            await self.poll_gateway()
`,
  },
  {
    name: "a helper of a TestCase subclass whose base is the project's own TestCase, outside tests/",
    code: `
import asyncio
from app.checks import StreamCase
class SlowStreamCase(StreamCase):
    def drain(self):
        asyncio.run(self.stream.drain())
`,
    others: { 'app/checks.py': 'import unittest\nclass StreamCase(unittest.TestCase):\n    pass\n', 'app/__init__.py': '' },
  },
  { name: 'a helper module under tests/', file: 'tests/support/runner.py', code: `\nimport asyncio\ndef run(coro):\n    return asyncio.run(coro)\n` },
  { name: 'a test helper module named testutils.py', file: 'pkg/testutils.py', code: `\nimport asyncio\ndef run_briefly(coro):\n    return asyncio.run(coro)\n` },
  {
    name: "a session over the caller's connector (connector_owner=False) opens no connections",
    code: `
import aiohttp
class HttpStorage:
    async def list(self):
        async with aiohttp.ClientSession(connector=self.connector, connector_owner=False) as session:
            return await session.get(self.url)
`,
  },
  {
    name: 'a pool for one batch of sync work, waited for with concurrent.futures.wait',
    code: `
import concurrent.futures
class Muxer:
    def close(self):
        executor = concurrent.futures.ThreadPoolExecutor()
        futures = [executor.submit(stream.close) for stream in self.streams]
        concurrent.futures.wait(futures)
`,
  },
  {
    name: 'a method registered with atexit.register runs once',
    code: `
import asyncio, atexit
class Hub:
    def init(self):
        atexit.register(self.cleanup_at_exit)
    def cleanup_at_exit(self):
        asyncio.run(self.cleanup())
`,
  },
  {
    name: 'a click callback (pass_context) wrapping a command: once per CLI run',
    code: `
import asyncio, click
def with_app(fn):
    @click.pass_context
    def decorator(ctx, *args, **kwargs):
        async def inner():
            async with ctx.obj.app.app_context():
                return ctx.invoke(fn, *args, **kwargs)
        return asyncio.run(inner())
    return decorator
`,
  },
];

describe(`Python: ${RULE}`, () => {
  ruleCaseTests(RULE, valid, invalid);
});
